"""Facts from claim texts and reporter notes, in English and Chinese.

`extract_facts` finds every figure and status; `extract_claim` narrows that to the one fact an
official claim makes; `extract_observations` adds how each fact is known (method, speaker,
confidence).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from datetime import date

from surveys.engine import cues
from surveys.engine.dates import find_dates
from surveys.engine.facts import Fact
from surveys.engine.numbers import find_numbers
from surveys.engine.statuses import find_statuses
from surveys.engine.units import (
    CURRENCY_PREFIX_RE, KIND_METRIC, OTHER_UNIT_RE, RATE_AFTER_RE, RATE_BEFORE_RE, match_unit,
    to_canonical,
)
from surveys.engine.vague import VAGUE_RE, vague_range
from surveys.vocab import CANONICAL_UNIT, Method, Metric, Qualifier, Status


class NothingExtracted(ValueError):
    """The text holds no figure or status the engine can read."""


class AmbiguousClaim(ValueError):
    """The text makes claims about several metrics; the caller must pick one."""

    def __init__(self, candidates: list[Fact]):
        self.candidates = candidates
        metrics = ", ".join(f.metric.value for f in candidates)
        super().__init__(f"the text has figures for several metrics: {metrics}")


_SENTENCE_END = re.compile(r"[。！？!?；;\n]|(?<!\d)\.|\.(?!\d)")
_CLAUSE_END = re.compile(r"[。！？!?；;\n，、：:（）()]|(?<!\d)[.,]|[.,](?!\d)|\b(?:and|but|while|whereas)\b")

# "一百来人", "十来个": 来 between a number and its unit means "about".
_ABOUT_BEFORE_UNIT_RE = re.compile(r"(?P<approx>来)")
_PREFIX_RE = re.compile(
    r"(?:(?P<approx>\babout|\baround|\bapproximately|\bnearly|\balmost|\broughly|\bsome|\bclose\s+to"
    r"|\ban\s+estimated|\bestimated|大约|将近|接近|大概|差不多|约|近)"
    r"|(?P<at_least>\bmore\s+than|\bover|\babove|\bat\s+least|\bin\s+excess\s+of|\bupwards\s+of"
    r"|\bno\s+(?:fewer|less)\s+than|超过|不少于|至少|起码|多达|逾|超)"
    r"|(?P<at_most>\bfewer\s+than|\bless\s+than|\bunder|\bup\s+to|\bbelow|\bat\s+most"
    r"|\bno\s+more\s+than|\bnot\s+more\s+than|不足|不到|不超过|最多|少于|低于))"
    r"\s*(?:有|了|达)?\s*$",
    re.IGNORECASE,
)
_MORE_AFTER_RE = re.compile(r"\s*(?:多|余|\+|-?plus\b)", re.IGNORECASE)
_SUFFIX_RE = re.compile(
    r"\s*(?:(?P<approx>左右|上下|or\s+so\b)|(?P<at_least>以上|之多|or\s+more\b|plus\b)"
    r"|(?P<at_most>以下|以内|or\s+(?:fewer|less)\b))",
    re.IGNORECASE,
)
# A number after one of these names a thing ("Phase 2", "Gate 3", "第二"), it counts nothing.
_LABEL_BEFORE_RE = re.compile(
    r"(?:\b(?:phase|stage|no\.?|number|building|line|lot|room|gate|zone|block|plot|road|route|bus|exit"
    r"|floor|unit|workshop|hall|plant|step|item|page|version)\s*#?|#|第|编号)\s*$",
    re.IGNORECASE,
)
_IDENTIFIER_AROUND = re.compile(r"\d[-–]\s*$")
_IDENTIFIER_AFTER = re.compile(r"\s*[-–]\d")
_PRODUCTION_RE = re.compile(
    r"produc|output|capacity|manufactur|make|makes|roll\s+off|assembl|产|制造|生产|下线|出货", re.IGNORECASE)
_OUTPUT_VALUE_RE = re.compile(
    r"output\s+value|production\s+value|value\s+of\s+output|revenue|sales|turnover|产值|营收|营业收入|销售收入|销售额",
    re.IGNORECASE)
_INVEST_RE = re.compile(r"invest|funding|capital|投资|投入|总投", re.IGNORECASE)
# A figure with no unit word after it still has a metric when a keyword just before names it:
# "employs 2,500", "workforce of 1,200", "就业岗位3000个", "总投资80亿".
_KEYWORD_BEFORE_RE = re.compile(
    r"(?:(?P<headcount>\bemploy(?:s|ed|ing)?|\bstaff|\bworkforce|\bheadcount|\bjobs|\bworkers|\bemployees"
    r"|员工|职工|工人|就业|岗位|用工|招工|人数|人员)"
    r"|(?P<enterprises>\benterprises|\bcompanies|\bfirms|企业|公司|入驻)"
    r"|(?P<money>\binvest(?:ment|ing|s|ed)?|\boutput\s+value|\brevenue|投资|产值|营收|销售额))"
    r"[\s:：]*(?:(?:of|is|was|at|reached|reach|totals?|totall?ing|stood\s+at|达到?|为|是|有|共|总计|合计|高达|就)\s*){0,2}$",
    re.IGNORECASE,
)
_CLASSIFIER_RE = re.compile(r"个")
_ARTICLES = {"一", "one", "a", "an"}
# A date that starts a period ("since 2023", "成立于2018年") is history, not a deadline.
_SINCE_BEFORE_RE = re.compile(r"(?:\b(?:since|from|after)\s+|成立于|自|从|始于)$", re.IGNORECASE)
_SINCE_AT_RE = re.compile(r"(?:since|from|after)\b", re.IGNORECASE)
_YEARS = range(1900, 2101)


@dataclass
class _Text:
    """A text with its sentence and clause boundaries, looked up by position."""

    text: str

    def __post_init__(self):
        self._sentences = [m.end() for m in _SENTENCE_END.finditer(self.text)]
        self._clauses = [m.end() for m in _CLAUSE_END.finditer(self.text)]

    @staticmethod
    def _around(ends: list[int], pos: int, length: int) -> tuple[int, int]:
        i = bisect.bisect_right(ends, pos)
        return (ends[i - 1] if i else 0), (ends[i] if i < len(ends) else length)

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._around(self._sentences, pos, len(self.text))

    def clause(self, pos: int) -> tuple[int, int]:
        return self._around(self._clauses, pos, len(self.text))


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _money_metric(t: _Text, start: int, end: int, rate: str | None) -> Metric:
    c0, c1 = t.clause(start)
    before, after = t.text[c0:start], t.text[end:c1]
    hits = [(m.start(), Metric.OUTPUT_VALUE) for m in _OUTPUT_VALUE_RE.finditer(before)]
    hits += [(m.start(), Metric.INVESTMENT) for m in _INVEST_RE.finditer(before)]
    if hits:
        return max(hits)[1]  # the keyword nearest the figure
    if _OUTPUT_VALUE_RE.search(after):
        return Metric.OUTPUT_VALUE
    if _INVEST_RE.search(after):
        return Metric.INVESTMENT
    return Metric.OUTPUT_VALUE if rate == "year" else Metric.INVESTMENT


def _rate(m: re.Match | None) -> str | None:
    if not m:
        return None
    return next(k for k in ("year", "month", "day") if m.group(k))


def _quantity(t: _Text, start: int, end: int, low: float, high: float, *, vague: bool,
              more: bool, plain_int: bool, scale: float) -> Fact | None:
    text = t.text
    c0, _ = t.clause(start)
    left = text[c0:start]
    if _LABEL_BEFORE_RE.search(left) or _IDENTIFIER_AROUND.search(left) or _IDENTIFIER_AFTER.match(text, end):
        return None
    span_start, span_end = start, end
    # Qualifier and currency in front: "about RMB 8 billion", "超过150家".
    money_prefix = CURRENCY_PREFIX_RE.search(left)
    if money_prefix:
        left = left[:money_prefix.start()]
        span_start = c0 + money_prefix.start()
    prefix = _PREFIX_RE.search(left)
    if prefix:
        span_start = c0 + prefix.start()
        left = left[:prefix.start()]
    qualifier = next((Qualifier(k) for k, v in prefix.groupdict().items() if v), None) if prefix else None

    pos = end
    more_after = None if low != high or vague else _MORE_AFTER_RE.match(text, pos)
    if more_after:
        pos = more_after.end()
    early_suffix = _SUFFIX_RE.match(text, pos) or _ABOUT_BEFORE_UNIT_RE.match(text, pos)  # "500 or so workers"
    if early_suffix:
        pos = early_suffix.end()
    unit = match_unit(text, pos)
    if unit and plain_int and low in _YEARS and unit[3]:
        unit = None  # "in 2025 the companies...": a year, not 2025 companies
    if unit is None and money_prefix:
        unit = ("money", "yuan", pos, False)
    if unit is None:
        if OTHER_UNIT_RE.match(text, pos) or (plain_int and (low in _YEARS or low >= 1e6)):
            return None
        kw = _KEYWORD_BEFORE_RE.search(left)
        if not kw or text[start:end].lower() in _ARTICLES:
            return None
        kind = {"headcount": "person", "enterprises": "enterprise", "money": "money"}[kw.lastgroup]
        if kind == "money" and scale < 1e4:
            return None  # "投资80" without 亿/万/billion is too thin to read as money
        classifier = _CLASSIFIER_RE.match(text, pos)
        unit = (kind, {"person": "person", "enterprise": "enterprise", "money": "yuan"}[kind],
                classifier.end() if classifier else pos, False)
    kind, pint_unit, pos, _ = unit
    if text[start:end].lower() in _ARTICLES:
        return None  # "一家公司表示", "one worker said", "一片空地": an article, not a count

    rate_m = RATE_AFTER_RE.match(text, pos)
    if rate_m:
        pos = rate_m.end()
    else:
        rate_m = None
        for rate_m in RATE_BEFORE_RE.finditer(left):
            pass
    rate = _rate(rate_m)
    suffix = _SUFFIX_RE.match(text, pos)
    if suffix:
        pos = suffix.end()
    if suffix or early_suffix:
        qualifier = qualifier or Qualifier((suffix or early_suffix).lastgroup)
    span_end = pos

    if kind == "vehicle":
        clause_text = text[slice(*t.clause(start))]
        if not (rate or low >= 1e4 or _PRODUCTION_RE.search(clause_text)):
            return None  # parked cars are evidence of activity, not output
    metric = _money_metric(t, start, end, rate) if kind == "money" else KIND_METRIC[kind]
    canonical = CANONICAL_UNIT[metric]
    if not canonical.endswith("/yr"):
        rate = None

    if vague:
        qualifier = Qualifier.VAGUE
    elif low != high:
        qualifier = Qualifier.RANGE
    elif more_after or more:
        qualifier = Qualifier.AT_LEAST
    qualifier = qualifier or Qualifier.EXACT
    if qualifier is Qualifier.AT_LEAST:
        high = None
    elif qualifier is Qualifier.AT_MOST:
        low = None
    return Fact(
        metric=metric,
        low=to_canonical(low, pint_unit, rate, canonical),
        high=to_canonical(high, pint_unit, rate, canonical),
        unit=canonical,
        qualifier=qualifier,
        surface=text[span_start:span_end],
        span=(span_start, span_end),
        confidence=cues.VAGUE_CONFIDENCE if qualifier is Qualifier.VAGUE else 0.9,
    )


def _quantities(t: _Text, excluded: list[tuple[int, int]]) -> list[Fact]:
    facts = []
    vague_spans = []
    for m in VAGUE_RE.finditer(t.text):
        if _overlaps(*m.span(), excluded):
            continue
        low, high = vague_range(m.group("phrase"), m.group("scale") or m.group("cnscale"))
        vague_spans.append(m.span())
        fact = _quantity(t, m.start(), m.end(), low, high, vague=True, more=False, plain_int=False, scale=1)
        if fact:
            facts.append(fact)
    for n in find_numbers(t.text):
        if _overlaps(n.start, n.end, excluded + vague_spans):
            continue
        fact = _quantity(t, n.start, n.end, n.low, n.high, vague=False, more=n.more,
                         plain_int=n.plain_int, scale=n.scale)
        if fact:
            facts.append(fact)
    return facts


def _statuses(t: _Text) -> list[Fact]:
    """Status facts, one per status per sentence ("杂草丛生，未见施工" is one not_started)."""
    merged: dict[tuple[int, Status], tuple[int, int]] = {}
    for m in find_statuses(t.text):
        key = (t.sentence(m.start)[0], m.status)
        s, e = merged.get(key, (m.start, m.end))
        merged[key] = (min(s, m.start), max(e, m.end))
    return [
        Fact(metric=Metric.STATUS, low=None, high=None, unit="", qualifier=Qualifier.EXACT,
             status_value=status, surface=t.text[s:e], span=(s, e), confidence=0.9)
        for (_, status), (s, e) in merged.items()
    ]


def extract_facts(text: str, *, reference_date: date | None = None) -> list[Fact]:
    """Every figure and status in `text`, in order of appearance; relative dates read against
    `reference_date` (today when None)."""
    t = _Text(text)
    dates = find_dates(text, reference_date)
    excluded = [(d.start, d.end) for d in dates]
    facts = _quantities(t, excluded) + _statuses(t)

    by_sentence: dict[int, list[Fact]] = {}
    for f in facts:
        by_sentence.setdefault(t.sentence(f.span[0])[0], []).append(f)
    result = []
    for sentence_start, group in by_sentence.items():
        s0, s1 = t.sentence(sentence_start)
        sentence = text[s0:s1]
        # "planned" next to other facts is a modal ("planned capacity of 20 GWh"), not a status.
        if len(group) > 1:
            group = [f for f in group if f.status_value is not Status.PLANNED] or group
        target = bool(cues.TARGET_RE.search(sentence))
        sentence_dates = [d for d in dates if d.value and s0 <= d.start < s1
                          and not _SINCE_BEFORE_RE.search(text, s0, d.start)
                          and not _SINCE_AT_RE.match(text, d.start)]
        for f in group:
            due = min(sentence_dates, key=lambda d: abs(d.start - f.span[1]), default=None)
            result.append(replace(f, is_target=target, due_date=due.value if due else None))
    return sorted(result, key=lambda f: f.span)


def _main_fact(facts: list[Fact]) -> Fact:
    if facts[0].metric is Metric.STATUS:
        return next((f for f in facts if f.due_date), facts[0])
    return facts[0]


def extract_claim(text: str, *, published_on: date | None = None, metric: Metric | None = None) -> Fact:
    """The one fact an official claim makes. Raises NothingExtracted or AmbiguousClaim."""
    facts = extract_facts(text, reference_date=published_on)
    if metric is not None:
        facts = [f for f in facts if f.metric == metric]
    if not facts:
        raise NothingExtracted("no figure or status could be read from the text")
    by_metric: dict[Metric, list[Fact]] = {}
    for f in facts:
        by_metric.setdefault(f.metric, []).append(f)
    mains = [_main_fact(group) for group in by_metric.values()]
    if len(mains) > 1:
        raise AmbiguousClaim(mains)
    return mains[0]


def _method(t: _Text, fact: Fact) -> tuple[Method, str]:
    """How the reporter knows a fact: the cue nearest it in its sentence, preferring cues before it."""
    s0, s1 = t.sentence(fact.span[0])
    start, end = fact.span
    best: tuple[int, Method, str] | None = None
    cue_sets = [(cues.SPEAKER_RE, Method.INTERVIEW), (cues.COUNTED_RE, Method.COUNTED),
                (cues.SIGNAGE_RE, Method.SIGNAGE), (cues.DOCUMENT_RE, Method.DOCUMENT)]
    for rx, method in cue_sets:
        for m in rx.finditer(t.text, s0, s1):
            if m.end() <= start:
                distance = start - m.end()
            elif m.start() >= end:
                distance = 1000 + m.start() - end
            else:
                distance = 0
            role = cues.speaker_role(m) if method is Method.INTERVIEW else ""
            if best is None or distance < best[0]:
                best = (distance, method, role)
    if best:
        return best[1], best[2]
    return Method.ESTIMATED, ""  # the reporter's own reading of the scene


def extract_observations(notes: str, *, visit_date: date | None = None) -> list[Fact]:
    """Every fact in a reporter's notes, with method, speaker role and confidence."""
    t = _Text(notes)
    result = []
    for f in extract_facts(notes, reference_date=visit_date):
        method, role = _method(t, f)
        confidence = (cues.VAGUE_CONFIDENCE if f.qualifier is Qualifier.VAGUE
                      else cues.METHOD_CONFIDENCE[method])
        result.append(replace(f, method=method, source_role=role, confidence=confidence))
    return result
