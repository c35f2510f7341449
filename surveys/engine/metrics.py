"""What the engine knows about each metric and each currency, in one table each.

Everything else derives from these two tables: the contract's vocabulary (`surveys.vocab.Metric`,
`CANONICAL_UNIT`), the unit words the extractor reads after a number, the cue words that name a
metric when a figure has no unit word ("employs 2,500", "总投资80亿"), the explanations' unit
words and the desk's labels in each language. Words that are about no metric in particular
(qualifiers, numerals, statuses...) live in `surveys.engine.words.<language>`.

A row's `units` and `cues` are regular expressions per language, matched case-insensitively right
after a number (units) or before it (cues). A unit word is (pint unit, regex) or a `UnitWord` when
it needs more: a context that must be present in the clause ("辆" is output only next to a
production word; parked cars are not output), or a rate it implies ("30,000 tpa").

Plain Python with no imports from the rest of the project: `surveys.vocab` is built from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class UnitWord:
    pint_unit: str
    pattern: str
    needs: str = ""  # a context word group (see words.<language>.CONTEXTS) the clause must have ...
    unless_at_least: float = float("inf")  # ... unless the count is this large (nobody parks 10,000 cars)
    rate: str = ""  # "year" when the word itself says per year ("tpa")


@dataclass(frozen=True)
class MetricRow:
    key: str  # the contract's metric value
    unit: str  # the contract's canonical unit ("" for status); money metrics: see `money`
    pint_unit: str  # the canonical unit in pint's notation
    labels: dict[str, str]  # language -> the metric's name for people (desk, forms)
    unit_labels: dict[str, str]  # language -> how the explanations say the unit
    units: dict[str, list[tuple[str, str] | UnitWord]] = field(default_factory=dict)
    cues: dict[str, str] = field(default_factory=dict)
    per_year: bool = False  # a rate: figures without "a year" are read as yearly
    money: bool = False  # the unit is a currency (`CURRENCIES`), "CNY" being the default one


@dataclass(frozen=True)
class Currency:
    code: str  # ISO 4217; the canonical unit of money in it ("USD", "USD/yr")
    words: dict[str, list[str | UnitWord]]  # language -> its words after a number (regex, or a word with needs)
    prefixes: dict[str, str]  # language -> regex of its symbols/codes before a number
    labels: dict[str, str]  # language -> how the explanations say it


METRICS: tuple[MetricRow, ...] = (
    MetricRow(
        "headcount", "person", "person",
        labels={"en": "headcount", "zh": "用工人数"},
        unit_labels={"en": "people", "zh": "人"},
        units={
            "en": [("person", r"(?:people|persons?|personnel|jobs?|employees?|workers?|staff(?:ers|\s+members)?"
                              r"|workforce|employment|positions|labou?rers|engineers|technicians|researchers)\b")],
            "zh": [("person", r"个?(?:就业)?岗位|[个名位]?(?:员工|工人|职工|人员|技术人员|研发人员|工程师|农民工|产业工人)"
                              r"|个[\u4e00-\u9fff]{0,3}?人(?!次|民|口|均|才|工|员|们)"
                              r"|[名位](?!单|列|次|牌|于)|个人(?!所得|信息|账户|认为)|号?人(?!次|民|口|均|才|工|员|们)")],
        },
        cues={
            "en": r"employ(?:s|ed|ing|ment)?|staff|workforce|headcount|jobs|workers|employees|hir(?:e|es|ed|ing)",
            "zh": r"员工|职工|工人|就业|岗位|用工|招工|人数|人员|从业人员|招聘",
        },
    ),
    MetricRow(
        "enterprises", "enterprise", "enterprise",
        labels={"en": "enterprises", "zh": "入驻企业数"},
        unit_labels={"en": "enterprises", "zh": "家企业"},
        units={
            "en": [("enterprise", r"(?:enterprises?|companies|company|firms?|businesses|tenants|manufacturers"
                                  r"|makers|suppliers|producers)\b")],
            "zh": [("enterprise", r"家(?:企业|公司|厂商|工厂)?|个?(?:企业|公司)")],
        },
        cues={"en": r"enterprises|companies|firms|tenants", "zh": r"企业|公司|入驻|落户|厂商|厂家"},
    ),
    MetricRow(
        "capacity_energy", "GWh/yr", "GWh / year",
        labels={"en": "energy capacity", "zh": "储能/产能（GWh/年）"},
        unit_labels={"en": "GWh a year", "zh": "GWh/年"},
        units={
            "en": [("TWh", r"TWh|terawatt[- ]hours?"), ("GWh", r"GWh|gigawatt[- ]hours?"),
                   ("MWh", r"MWh|megawatt[- ]hours?"), ("kWh", r"kWh|kilowatt[- ]hours?")],
            "zh": [("TWh", r"太瓦时"), ("GWh", r"吉瓦时|GW时"), ("MWh", r"兆瓦时"), ("kWh", r"千瓦时")],
        },
        per_year=True,
    ),
    MetricRow(
        "output_mass", "t/yr", "tonne / year",
        labels={"en": "output (tonnes)", "zh": "年产量（吨）"},
        unit_labels={"en": "tonnes a year", "zh": "吨/年"},
        units={
            "en": [UnitWord("megatonne", r"Mtpa\b|MTPA\b", rate="year"),
                   UnitWord("kilotonne", r"ktpa\b|KTPA\b", rate="year"),
                   UnitWord("tonne", r"tpa\b|TPA\b|t/a\b", rate="year"),
                   ("tonne", r"(?:metric\s+)?(?:tonnes?|tons?)\b|t\b"), ("kilotonne", r"kt\b"),
                   ("megatonne", r"Mt\b"), ("kilogram", r"kilograms?\b|kg\b")],
            "zh": [("tonne", r"吨"), ("kilogram", r"公斤|千克")],
        },
        per_year=True,
    ),
    MetricRow(
        "output_units", "unit/yr", "item / year",
        labels={"en": "output (units)", "zh": "年产量（件）"},
        unit_labels={"en": "units a year", "zh": "件/年"},
        units={
            "en": [UnitWord("item", r"(?:vehicles?|cars?|trucks?|lorries|buses|EVs?|motorcycles?)\b", needs="production",
                            unless_at_least=1e4),
                   UnitWord("item", r"(?:cells?|batteries|battery\s+cells|modules?|panels?|wafers?|chips?|units?"
                                    r"|pieces?|pcs|sets?|devices?|robots?|handsets?|phones?)\b",
                            needs="production", unless_at_least=1e4)],
            "zh": [UnitWord("item", r"辆", needs="production", unless_at_least=1e4),
                   UnitWord("item", r"块", needs="production", unless_at_least=1e4),
                   UnitWord("item", r"片|台|套|件|只|颗|枚|支|部", needs="production", unless_at_least=1e4)],
        },
        per_year=True,
    ),
    MetricRow(
        "area", "m2", "meter ** 2",
        labels={"en": "area", "zh": "面积"},
        unit_labels={"en": "m²", "zh": "平方米"},
        units={
            "en": [("chinese_mu", r"mu\b"),
                   ("kilometer ** 2", r"km²|km2\b|sq\.?\s*km\b|square\s+kilomet(?:er|re)s?\b"),
                   ("meter ** 2", r"m²|㎡|m2\b|sqm\b|sq\.?\s*m\b|square\s+met(?:er|re)s?\b"),
                   ("foot ** 2", r"ft²|sq\.?\s*ft\b|square\s+f(?:ee|oo)t\b"),
                   ("hectare", r"hectares?\b|ha\b"), ("acre", r"acres?\b")],
            "zh": [("chinese_mu", r"亩"), ("kilometer ** 2", r"平方公里|平方千米"),
                   ("meter ** 2", r"平方米|平米|㎡"), ("hectare", r"公顷")],
        },
    ),
    MetricRow(
        "investment", "CNY", "CNY",
        labels={"en": "investment", "zh": "投资额"},
        unit_labels={},  # the currency's label
        cues={
            "en": r"invest(?:ment|ments|ing|s|ed)?|funding|capital\s+expenditure|capex|spen[dt]|spending|cost\s+of\s+building",
            "zh": r"投资|投入|总投|投了|斥资|耗资|花了|花费|砸了|建设资金",
        },
        money=True,
    ),
    MetricRow(
        "output_value", "CNY/yr", "CNY / year",
        labels={"en": "output value", "zh": "年产值"},
        unit_labels={},
        cues={
            "en": r"output\s+value|production\s+value|value\s+of\s+output|revenues?|sales|turnover",
            "zh": r"产值|营收|营业收入|销售收入|销售额|营业额|主营业务收入|卖了|能卖|销售",
        },
        per_year=True,
        money=True,
    ),
    MetricRow(
        "power", "MW", "megawatt",
        labels={"en": "power capacity", "zh": "装机容量（兆瓦）"},
        unit_labels={"en": "MW", "zh": "兆瓦"},
        units={
            "en": [("gigawatt", r"GWp?\b|GWe\b|gigawatts?\b"), ("megawatt", r"MWp?\b|MWe\b|megawatts?\b"),
                   ("kilowatt", r"kWp?\b|kilowatts?\b"), ("terawatt", r"TW\b|terawatts?\b")],
            "zh": [("gigawatt", r"吉瓦(?!时)"), ("megawatt", r"兆瓦(?!时)"), ("kilowatt", r"千瓦(?!时)")],
        },
        cues={"en": r"installed\s+capacity|generating\s+capacity", "zh": r"装机"},
    ),
    MetricRow(
        "status", "", "",
        labels={"en": "status", "zh": "状态"},
        unit_labels={},
    ),
)

CURRENCIES: tuple[Currency, ...] = (
    Currency("CNY",
             words={"en": [r"yuan\b|RMB\b|CNY\b|renminbi\b|kuai\b"],
                    "zh": [r"元|人民币|块钱", UnitWord("CNY", r"块", needs="money")]},
             prefixes={"en": r"RMB|CNY|¥|￥", "zh": r"人民币"},
             labels={"en": "yuan", "zh": "元"}),
    Currency("USD",
             words={"en": [r"(?:US|U\.S\.|American)\s*dollars?\b|dollars?\b|USD\b|bucks\b"], "zh": [r"美元|美金"]},
             prefixes={"en": r"US\$|U\.S\.\s*\$|USD|\$", "zh": ""},
             labels={"en": "US dollars", "zh": "美元"}),
    Currency("EUR", words={"en": [r"euros?\b|EUR\b"], "zh": [r"欧元"]}, prefixes={"en": r"€|EUR", "zh": ""},
             labels={"en": "euros", "zh": "欧元"}),
    Currency("HKD",
             words={"en": [r"(?:Hong\s+Kong|HK)\s*dollars?\b|HKD\b"], "zh": [r"港元|港币"]},
             prefixes={"en": r"HK\$|HKD", "zh": r"港币|港元"},
             labels={"en": "Hong Kong dollars", "zh": "港元"}),
    Currency("JPY", words={"en": [r"yen\b|JPY\b"], "zh": [r"日元|日币|円"]}, prefixes={"en": r"JP¥|JPY", "zh": ""},
             labels={"en": "yen", "zh": "日元"}),
    Currency("TWD",
             words={"en": [r"(?:New\s+)?Taiwan(?:ese)?\s+dollars?\b|NT\s*dollars?\b|TWD\b|NTD\b"], "zh": [r"新台币|台币"]},
             prefixes={"en": r"NT\$|TWD|NTD", "zh": r"新台币|台币"},
             labels={"en": "New Taiwan dollars", "zh": "新台币"}),
    Currency("GBP", words={"en": [r"(?:pounds?\s+)?sterling\b|GBP\b"], "zh": [r"英镑"]}, prefixes={"en": r"£|GBP", "zh": ""},
             labels={"en": "pounds sterling", "zh": "英镑"}),
    Currency("KRW", words={"en": [r"(?:South\s+)?Korean\s+won\b|KRW\b"], "zh": [r"韩元"]}, prefixes={"en": r"₩|KRW", "zh": ""},
             labels={"en": "won", "zh": "韩元"}),
)
DEFAULT_CURRENCY = "CNY"

BY_KEY: dict[str, MetricRow] = {row.key: row for row in METRICS}
CURRENCY_CODES: tuple[str, ...] = tuple(c.code for c in CURRENCIES)


def money_unit(row: MetricRow, currency: str) -> str:
    """A money metric's canonical unit in `currency`: "USD" for investment, "USD/yr" for output value."""
    return currency + ("/yr" if row.per_year else "")


def units_of(metric: str) -> tuple[str, ...]:
    """Every unit a value of `metric` may carry; the first is the contract's canonical one."""
    row = BY_KEY[metric]
    if not row.money:
        return (row.unit,)
    return tuple(money_unit(row, code) for code in CURRENCY_CODES)


def metric_label(metric: str, language: str) -> str:
    """The metric's name in `language` ("zh", "zh-hans", "en"...), English when there is none."""
    labels = BY_KEY[metric].labels
    return labels.get(language.split("-")[0].lower(), labels["en"])


def unit_label(unit: str, language: str) -> str:
    """How a sentence says `unit` ("people", "US dollars a year", "美元/年"); the unit itself if unknown."""
    code, per_year = unit.removesuffix("/yr"), unit.endswith("/yr")
    currency = next((c for c in CURRENCIES if c.code == code), None)
    if currency is not None:
        word = currency.labels[language]
        return word + ((" a year" if language == "en" else "/年") if per_year else "")
    row = next((r for r in METRICS if r.unit == unit and r.unit_labels), None)
    return row.unit_labels[language] if row else unit
