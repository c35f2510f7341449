"""English: every word the engine reads that is not about one metric (those are in metrics.py).

Each name here exists in every language module (zh.py has the same ones); the engine joins the
languages' patterns. Patterns are regular expressions, matched case-insensitively.
"""

# --- numerals ---------------------------------------------------------------------------
SMALL_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
MULTIPLIERS = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Scale words after digits ("3.5 bn", "12 thousand") and letters glued to them ("$2.1M", "RMB 10B").
SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "mn": 1e6,
               "mln": 1e6}
SCALE_LETTERS = {"K": 1e3, "k": 1e3, "M": 1e6, "B": 1e9}
MONEY_SCALE_LETTERS = {"m": 1e6, "b": 1e9}  # only right after a currency: "$500m"; "500m" alone is metres
ARTICLES = {"one", "a", "an"}  # "one worker said": an article, not a count

# --- ranges -----------------------------------------------------------------------------
RANGE_SEPARATORS = r"-|–|—|~|to|or"
BETWEEN_BEFORE = r"\bbetween\s+$"
BETWEEN_AND = r"\s+and\s+"

# --- qualifiers -------------------------------------------------------------------------
QUALIFIERS_BEFORE = {
    "approx": r"\babout|\baround|\bapproximately|\bnearly|\balmost|\broughly|\bsome|\bclose\s+to|\ban\s+estimated"
              r"|\bestimated|\bcirca|\bc\.|(?<![^\s(])~|\bjust\s+(?:under|over)|\bin\s+the\s+region\s+of|\bthe\s+best\s+part\s+of",
    "at_least": r"\bmore\s+than|\bover|\babove|\bat\s+least|\bin\s+excess\s+of|\bupwards\s+of|\bno\s+(?:fewer|less)\s+than"
                r"|\bnot\s+(?:fewer|less)\s+than|\bnorth\s+of|\ba\s+minimum\s+of|\bwell\s+over|\bwell\s+above",
    "at_most": r"\bfewer\s+than|\bless\s+than|\bunder|\bup\s+to|\bbelow|\bat\s+most|\bno\s+more\s+than"
               r"|\bnot\s+more\s+than|\ba\s+maximum\s+of|\bas\s+many\s+as|\bbarely|\bat\s+the\s+most",
}
QUALIFIER_LINK = ""
# Between a number and its unit: "300-plus workers", "300-odd staff", "500 or so workers".
QUALIFIERS_AFTER_NUMBER = {"at_least": r"\+|-?plus\b|-?odd\b"}
QUALIFIERS_AFTER = {
    "approx": r"or\s+so\b|or\s+thereabouts\b",
    "at_least": r"or\s+more\b|plus\b|and\s+(?:more|counting|above)\b|and\s+up\b",
    "at_most": r"or\s+(?:fewer|less)\b|at\s+most\b|tops\b",
}

# --- vague counts (ranges are inclusive; a scale word after multiplies both ends) --------
VAGUE_COUNTS = {
    "a handful of": (2, 9), "a few": (2, 9), "several": (3, 9),
    "a few dozen": (24, 99), "several dozen": (24, 99), "dozens of": (24, 99), "dozens": (24, 99),
    "scores of": (24, 99),
    "a few hundred": (200, 999), "several hundred": (200, 999), "hundreds of": (200, 999), "hundreds": (200, 999),
    "a few thousand": (2000, 9999), "several thousand": (2000, 9999), "thousands of": (2000, 9999),
    "thousands": (2000, 9999),
    "tens of thousands of": (20000, 99999), "tens of thousands": (20000, 99999),
}
VAGUE_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}

# --- numbers that count nothing of ours -------------------------------------------------
# A number after one of these names a thing: "Phase 2", "Gate 3", "Fortune 500", "top 10".
LABEL_BEFORE = (r"\b(?:phase|stage|no\.?|number|building|line|lot|room|gate|zone|block|plot|road|route|bus|exit"
                r"|floor|unit|workshop|hall|plant|step|item|page|version|fortune|global|top|grade|class|level"
                r"|tier|batch|round|case|article|section|clause|annex|district|area|park|base|bay|dock|door"
                r"|warehouse|dormitory|no)\s*#?$|#$")
# The count is about something already named, or about the reporter's own work: "the two battery
# makers", "these three plants", "we visited several factories", "interviewed 5 workers".
NOT_A_CLAIM_BEFORE = (r"(?:\b(?:these|those|both|all|each|every|first|last|next|same|remaining)"
                      r"|\b(?:visited|visit|visiting|interviewed|interviewing|interview|talked\s+to|talked\s+with"
                      r"|spoke\s+to|spoke\s+with|speak\s+to|met|phoned|contacted|emailed|asked|approached"
                      r"|toured|tour\s+of|surveyed|among)(?:\s+(?:the|all|only|just|about|some|around))?"
                      r"|\b(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|some|most|many|few|none|each"
                      r"|several)\s+(?:out\s+)?of\s+(?:the|these|those|its|their)?)\s*$")
# "the two battery makers", "its three plants": a set named before; only with a number spelled out
# ("its 2,500 employees" in a company report is a claim).
DEFINITE_BEFORE = r"\b(?:the|its|their|our|his|her|my|the\s+other)\s*$"
NOT_A_CLAIM_AFTER = (r"\s*(?:(?:are|were|is|was|remain|still)\s+)?(?:in\s+(?:talks|negotiations|discussions)"
                     r"|interested|prospective|potential|expressed\s+interest|have\s+expressed|considering"
                     r"|we\s+visited|we\s+saw\s+on\s+the\s+list)\b")
OTHER_UNITS = (r"%|percent|per\s*cent|percentage\s+points?|times\b|fold\b|km\b|kilomet|met(?:er|re)s?\b|m\b"
               r"|miles?\b|feet\b|foot\b|ft\b|inch|cm\b|mm\b|hours?\b|hrs?\b|days?\b|weeks?\b|months?\b|years?\b"
               r"|yrs?\b|minutes?\b|mins?\b|seconds?\b|[ap]\.?m\.?\b|:|°|degrees?\b|floors?\b|storeys?\b|stor(?:e)?y\b"
               r"|st\b|nd\b|rd\b|th\b|-year|-minute|-hour|-day|-storey|-story|-floor|-km|-metre|-meter"
               r"|-foot|-feet|-inch|-seat|-bed|-room|-page|-point|volts?\b|kV\b|V\b|Hz\b|kg/|mph\b|km/h\b|dB\b")

# --- rates --------------------------------------------------------------------------------
RATES_AFTER = {
    "year": r"per\s+(?:year|annum)|a\s+year|each\s+year|every\s+year|/\s*(?:yr|year|a|annum)\b|annually|yearly"
            r"|p\.\s?a\.|pa\b|in\s+annual",
    "month": r"per\s+month|a\s+month|each\s+month|/\s*(?:month|mo)\b|monthly",
    "day": r"per\s+day|a\s+day|each\s+day|/\s*day\b|daily",
    "hour": r"per\s+hour|an\s+hour|/\s*(?:hour|hr|h)\b|hourly",
}
RATES_BEFORE = {
    "year": r"\bannual|\bannually|\byearly|\bper\s+year|\ba\s+year|\beach\s+year",
    "month": r"\bmonthly", "day": r"\bdaily", "hour": r"\bhourly",
}

# --- contexts that decide an ambiguous unit word (metrics.UnitWord.needs) -----------------
CONTEXTS = {
    "production": (r"produc|output|capacity|manufactur|\bmake|\bmakes|roll\s+off|assembl|ship(?:s|ped|ments)?\b"
                   r"|\ba\s+(?:year|month|day)\b|\bper\s+(?:year|annum|month|day)\b|annual|yearly|monthly|daily"),
    "money": r"spen[dt]|paid|pays?\b|cost|invest|sunk|sank|poured|price|sold|sells?\b|earn|worth",
}

# --- money that is no metric of ours: the nearest money word before a figure decides -------
OTHER_MONEY = (r"\b(?:tax(?:es)?|taxation|levies|profits?|earnings|ebitda|margin|dividends?|subsid(?:y|ies|ised|ized)"
               r"|grants?|incentives?|rebates?|wages?|salar(?:y|ies)|pay|paid|earns?|income|loans?|debts?|borrow(?:ed|ing)?"
               r"|fines?|fined|penalt(?:y|ies)|compensation|damages|registered\s+capital|share\s+capital"
               r"|market\s+(?:value|cap(?:italisation|italization)?)|valuation|valued|price[ds]?|rent|rents|fees?"
               r"|bid|tender|contract\s+(?:value|worth|price)|budget(?:ed)?|award(?:ed)?|arrears|owed|owes|bonus(?:es)?"
               r"|exchange\s+rate|losses?|lost)\b")
# A change is not a level: "revenue rose by 2 billion yuan", "grew 30%".
CHANGE_BEFORE = (r"\b(?:(?:rose|grew|increased|decreased|fell|dropped|declined|jumped|climbed|gained|up|down)\s+(?:by\s+)?"
                 r"|(?:an?\s+)?(?:increase|decrease|rise|drop|fall|growth|gain|reduction)\s+of\s+|by\s+)$")

# --- cue words before a figure without a unit word ("employs 2,500") ----------------------
CUE_LINK = (r"(?:[\s:]*(?:(?:of|is|was|at|reached|reach|totals?|totall?ing|stood\s+at|stands\s+at|now|about|some|around"
            r"|nearly|over|roughly|a|an|the)\b\s*){0,3})")

# --- statuses ----------------------------------------------------------------------------
STATUS_PHRASES = {
    "not_started": [
        r"(?:has|have|had)?\s*not\s+(?:yet\s+)?(?:been\s+)?(?:started|begun|broken\s+ground)",
        r"(?:hasn't|haven't|hadn't)\s+(?:yet\s+)?(?:been\s+)?(?:started|begun)",
        r"yet\s+to\s+(?:start|begin|break\s+ground)", r"never\s+started",
        r"no\s+(?:visible\s+)?signs?\s+of\s+(?:any\s+)?(?:construction|building|work|works)",
        r"no\s+(?:construction|building\s+work|works)", r"nothing\s+(?:has\s+been\s+)?built",
        r"construction\s+(?:has|had)?\s*(?:not|never)\s+(?:yet\s+)?(?:started|begun)",
        r"overgrown(?:\s+with\s+weeds)?", r"covered\s+(?:in|with)\s+weeds", r"weeds",
        r"(?:an?\s+)?(?:empty|vacant|bare|idle)\s+(?:plot|lot|land|field|site|ground)",
    ],
    "under_construction": [
        r"under\s+construction", r"being\s+built", r"being\s+constructed",
        r"cranes?\s+(?:were\s+|are\s+|was\s+|is\s+)?(?:working|operating|at\s+work|moving)",
        r"construction\s+(?:is\s+|was\s+)?(?:under\s*way|ongoing|in\s+progress|continuing)",
        r"construction\s+(?:work|crews?|workers)", r"(?:broke|breaks|broken)\s+ground",
        r"(?:started|began|begun|commenced)\s+construction", r"construction\s+(?:started|began|has\s+begun)",
    ],
    "operating": [
        r"put\s+into\s+(?:production|operation|use|service)", r"in\s+(?:full\s+)?(?:production|operation)",
        r"operating", r"operational", r"up\s+and\s+running",
        r"(?:started|began|begun|commenced|starts|start|begin)\s+(?:mass\s+)?production",
        r"(?:began|begun|started|entered|commenced|went\s+into)\s+(?:commercial\s+|full\s+|trial\s+)?(?:operations?|service)",
        r"production\s+lines?\s+(?:were\s+|are\s+|was\s+|is\s+)?(?:running|working|operating)",
        r"machines?\s+(?:were\s+|are\s+)?(?:running|humming|working)",
    ],
    "idle": [
        r"broken\s+windows?", r"lack(?:s|ing)?\s+(?:of\s+)?vitality", r"idle(?:d)?", r"halted",
        r"stalled", r"suspended", r"mothballed", r"abandoned", r"deserted", r"no\s+activity",
        r"(?:no\s+one|nobody)\s+(?:was\s+|is\s+)?working", r"stopped\s+(?:production|work)",
        r"production\s+(?:has\s+|had\s+)?(?:been\s+)?(?:halted|stopped|suspended)",
        r"(?:construction|work|works|building)\s+(?:has\s+|had\s+)?(?:been\s+)?(?:stopped|halted|suspended|frozen)",
        r"(?:there\s+(?:were|was|are|is)\s+)?no\s+(?:workers?|one|people|staff)\s+(?:(?:were|was)\s+)?(?:on|at)\s+(?:the\s+)?site",
        r"(?:the\s+)?(?:equipment|machinery|machines)\s+(?:has|have|had)\s+(?:been\s+)?(?:removed|taken\s+away|moved\s+out|stripped)",
        r"(?:the\s+)?(?:equipment|machinery|machines)\s+(?:is|are|was|were)\s+gone",
        r"stripped\s+of\s+(?:its\s+|their\s+|all\s+)?(?:equipment|machinery|machines)",
        r"(?:gates?|doors?)\s+(?:was|were|is|are)\s+(?:chained|padlocked|chained\s+shut|boarded\s+up)",
        r"boarded[- ]up", r"padlocked", r"chained\s+shut",
    ],
    "closed": [
        r"closed\s+down", r"shut\s+down", r"shuttered", r"(?:went|gone)\s+bankrupt", r"bankrupt",
        r"out\s+of\s+business", r"permanently\s+closed",
        r"(?:plant|factory|company|firm|mill|workshop)s?\s+(?:has\s+|had\s+|have\s+)?(?:been\s+)?closed",
    ],
    "planned": [
        r"(?:is|was|are)\s+planned", r"in\s+(?:the\s+)?planning(?:\s+stage)?", r"proposed",
    ],
}
# Partly in operation: operating, qualifier approx ("only 3 of the 8 lines were running").
PARTLY_OPERATING = [
    r"only\s+(?:\w+|\d+)\s+(?:of|out\s+of)\s+(?:the\s+)?(?:\w+|\d+)\s+(?:production\s+)?lines?\s+"
    r"(?:were|was|are|is)\s+(?:running|working|operating|in\s+operation)",
    r"(?:partly|partially|part)\s+(?:in\s+)?(?:operation|operating|production|running)",
    r"(?:running|operating)\s+(?:at\s+)?(?:partial|reduced|low)\s+capacity", r"running\s+part[- ]time",
]
STATUS_NEGATION = (r"(?:\bnot|\bno|\bnever|\bwithout|\byet\s+to|n't)(?:\s+(?:yet|been|be|being|fully|even|currently|"
                   r"really|actually|formally|officially|put|a))*\s+$")
STATUS_CONDITION_BEFORE = r"\b(?:after|once|when|upon|until|before|if)\s+(?:\w+\s+){0,3}$"
# A status word that qualifies a noun is no status of the site: "operating temperatures", "operating income".
STATUS_AS_MODIFIER = (r"\s+(?:temperatures?|income|costs?|expenses?|profits?|margins?|hours|systems?|companies"
                      r"|enterprises|firms|plants|lease|budget|licen[cs]es?|permits?|environment|conditions|revenues?"
                      r"|loss(?:es)?|cash|model|partners?|data|efficiency|leverage|rate|procedures?|manual)\b")

# A status whose subject is a count is no status of the site: "3 of them are in operation".
STATUS_SUBJECT_BEFORE = r"\b(?:\d+|two|three|four|five|several|some|most)\s+of\s+(?:them|these|those)\s+(?:are|were|is|was|have|had)?\s*(?:already\s+|now\s+)?$"

# --- how a fact is known -------------------------------------------------------------------
TARGET = (r"\b(?:will|would|shall|expected|expects|expect|expecting|planned|plans?\s+to|planning|aims?\s+to|"
          r"target(?:s|ed)?|projected|forecast|designed|to\s+be|is\s+set\s+to|once|upon\s+completion|"
          r"when\s+(?:fully\s+)?(?:completed|finished|operational)|after\s+(?:reaching|achieving|it\s+reaches)|"
          r"full\s+(?:production|capacity|operation)|eventually)\b")
ROLES = {
    "security guard": "security guard", "guard": "security guard", "doorman": "security guard",
    "gatekeeper": "security guard", "watchman": "security guard",
    "worker": "worker", "employee": "employee", "staff member": "employee",
    "manager": "manager", "villager": "villager", "resident": "resident", "driver": "driver",
    "shop owner": "shop owner", "shopkeeper": "shop owner", "vendor": "vendor", "cleaner": "cleaner",
    "receptionist": "receptionist", "official": "official",
}
SAY = (r"(?:said|says|say|told|tells|tell|claimed|claims|estimated|estimates|reckoned|reckons|put\s+it\s+at"
       r"|explained|mentioned)")
COUNTED = (r"\b(?:counted|count(?:ing)?\s+(?:of|shows?|gave)|tallied|headcount\s+by\s+(?:me|us|the\s+reporter))\b")
_SIGN = r"(?:sign\s*boards?|signs?|billboards?|notice\s*boards?|placards?|posters?)"
SIGNAGE = (rf"\b{_SIGN}\s+(?:at\s+the\s+\w+\s+)?(?:says?|reads?|shows?|states?|lists?|claims?|gives?)\b"
           rf"|\baccording\s+to\s+(?:the\s+|a\s+)?{_SIGN}|\b(?:on|from)\s+the\s+{_SIGN}")
DOCUMENT = r"\b(?:document|brochure|leaflet|report|filing)\b"

# --- sentences and clauses -----------------------------------------------------------------
CLAUSE_WORDS = r"\b(?:and|but|while|whereas)\b"
# A date that starts a period ("since 2023") is history, not a deadline.
SINCE_BEFORE = r"\b(?:since|from|after)\s+$"
SINCE_AT = r"(?:since|from|after)\b"
