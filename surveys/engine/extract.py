"""Facts from claim texts and reporter notes, in English and Chinese.

`extract_facts` finds every figure and status; `extract_claim` narrows that to the one fact an
official claim makes; `extract_observations` adds how each fact is known (method, speaker,
confidence).

A figure is read in steps (`_quantity`): is the number a label or about something already named;
the currency and qualifier in front of it; what follows the digits (多, "or so", a scale letter);
its unit word, or a cue word before it when it has none; its rate; the qualifier after the
unit; the metric (money is investment, output value or nothing of ours). Two figures of one
metric joined by a range separator are one range ("30亿元至50亿元").
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from datetime import date

from surveys.engine import cues
from surveys.engine.dates import find_dates
from surveys.engine.facts import Fact
from surveys.engine.metrics import BY_KEY, DEFAULT_CURRENCY, METRICS
from surveys.engine.numbers import Number, find_numbers, normalize
from surveys.engine.statuses import find_statuses
from surveys.engine.units import (
    CURRENCY_PREFIX_RE, MONEY, MONEY_LETTER_RE, MONEY_LETTER_SCALE, OTHER_UNIT_RE, PER_RE, RATE_AFTER_RE,
    RATE_BEFORE_RE, UnitMatch, canonical_unit, match_unit, to_canonical,
)
from surveys.engine.vague import VAGUE_RE, vague_range
from surveys.engine.words import en, joined, merged, zh
from surveys.vocab import Method, Metric, Qualifier, Status


class NothingExtracted(ValueError):
    """The text holds no figure or status the engine can read."""


class AmbiguousClaim(ValueError):
    """The text makes claims about several metrics; the caller must pick one."""

    def __init__(self, candidates: list[Fact]):
        self.candidates = candidates
        metrics = ", ".join(f.metric.value for f in candidates)
        super().__init__(f"the text has figures for several metrics: {metrics}")


def _rx(pattern: str, flags=re.IGNORECASE) -> re.Pattern:
    return re.compile(pattern, flags)


def _groups(patterns: dict[str, str]) -> str:
    return "|".join(f"(?P<{name}>{p})" for name, p in patterns.items() if p)


_SENTENCE_END = _rx(r"[。！？!?；;\n]|(?<!\d)\.|\.(?!\d)")
_CLAUSE_END = _rx(rf"[。！？!?；;\n，、：:（）()]|(?<!\d)[.,]|[.,](?!\d)|{joined('CLAUSE_WORDS')}")

_PREFIX_RE = _rx(rf"(?:{_groups(merged('QUALIFIERS_BEFORE'))})\s*(?:{joined('QUALIFIER_LINK')})?\s*$")
_AFTER_NUMBER_RE = _rx(rf"\s*(?:{_groups(merged('QUALIFIERS_AFTER_NUMBER'))})")
_SUFFIX_RE = _rx(rf"\s*(?:{_groups(merged('QUALIFIERS_AFTER'))})")
_LABEL_BEFORE_RE = _rx(joined("LABEL_BEFORE"))
_NOT_A_CLAIM_BEFORE_RE = _rx(joined("NOT_A_CLAIM_BEFORE"))
_DEFINITE_BEFORE_RE = _rx(joined("DEFINITE_BEFORE"))
_NOT_A_CLAIM_AFTER_RE = _rx(joined("NOT_A_CLAIM_AFTER"))
_IDENTIFIER_AROUND = _rx(r"\d[-–]\s*$")
_IDENTIFIER_AFTER = _rx(r"\s*[-–]\d")
_OTHER_MONEY_RE = _rx(joined("OTHER_MONEY"))
_CHANGE_BEFORE_RE = _rx(joined("CHANGE_BEFORE"))
_RANGE_BETWEEN_RE = _rx(rf"\s*(?:{joined('RANGE_SEPARATORS')})\s*")
_BETWEEN_AND_RE = _rx(en.BETWEEN_AND)
_BETWEEN_BEFORE_RE = _rx(en.BETWEEN_BEFORE)

# Cue words per metric, from the table: they pick the money metric, and name the metric of a
# figure that has no unit word ("employs 2,500", "就业岗位3000个", "总投资80亿").
_MONEY_ROWS = [row for row in METRICS if row.money]
_MONEY_CUES = [(row.key, _rx("|".join(row.cues.values()))) for row in _MONEY_ROWS]
_CUE_RIGHT_AFTER_RE = _rx(
    r"\s*(?:in\s+|of\s+|的)?(?:" + "|".join(f"(?P<{key}>{rx.pattern})" for key, rx in _MONEY_CUES)
    + f"|(?P<other>{joined('OTHER_MONEY')}))")
_BARE_KINDS = [row for row in METRICS if row.cues and (row.money or row.unit in ("person", "enterprise"))]
_CUE_BEFORE_RE = _rx(
    "(?:" + "|".join(f"(?P<{row.key}>{'|'.join(row.cues.values())})" for row in _BARE_KINDS) + ")"
    + rf"(?:{joined('CUE_LINK')})$")
_BARE_CLASSIFIER_RE = _rx(rf"(?:{zh.BARE_CLASSIFIERS})")
_ARTICLES = en.ARTICLES | zh.ARTICLES
# A date that starts a period ("since 2023", "成立于2018年") is history, not a deadline.
_SINCE_BEFORE_RE = _rx(joined("SINCE_BEFORE"))
_SINCE_AT_RE = _rx(joined("SINCE_AT"))
_YEARS = range(1900, 2101)
_WINDOW = 120
_NEAR = 60  # the words that qualify a number from before it (qualifier, currency, cue, rate, label)
_THIN_MONEY = 1e4  # "投资80" without 亿/万/billion is too thin to read as money
_SMALL_MONEY = 1e5  # below this, money no cue word names is a price or a wage, not an investment


@dataclass
class _Text:
    """A text (folded by numbers.normalize) with its sentence and clause boundaries, by position."""

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
        """The clause around `pos`, cut to _WINDOW characters either side: words further away
        qualify nothing, and a long text without punctuation is still read in linear time."""
        start, end = self._around(self._clauses, pos, len(self.text))
        return max(start, pos - _WINDOW), min(end, pos + _WINDOW)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


@dataclass
class _Reading:
    """What has been read around one number so far."""

    low: float | None
    high: float | None
    start: int  # of the fact's surface (a qualifier or currency sign in front included)
    end: int
    qualifier: Qualifier | None = None
    currency: str = ""
    at_least_after: bool = False  # 多/余/+ right after the digits


def _counts_nothing(t: _Text, n: Number, left: str) -> bool:
    """The number names a thing ("Phase 2", "138-1234-5678") or counts a set named before or the
    reporter's own work ("the two battery makers", "这两家企业", "we visited several factories")."""
    text = t.text
    if _LABEL_BEFORE_RE.search(left) or _IDENTIFIER_AROUND.search(left) or _IDENTIFIER_AFTER.match(text, n.end):
        return True
    if _NOT_A_CLAIM_BEFORE_RE.search(left):
        return True
    return n.word and bool(_DEFINITE_BEFORE_RE.search(left))


def _read_prefix(reading: _Reading, left: str, clause_start: int) -> str:
    """Currency sign and qualifier in front: "about RMB 8 billion", "超过150家". Returns what is
    left of the clause before them."""
    money = CURRENCY_PREFIX_RE.search(left)
    if money:
        reading.currency = money.lastgroup[2:]
        reading.start = clause_start + money.start()
        left = left[:money.start()]
    prefix = _PREFIX_RE.search(left)
    if prefix:
        reading.start = clause_start + prefix.start()
        reading.qualifier = Qualifier(next(k for k, v in prefix.groupdict().items() if v))
        left = left[:prefix.start()]
    return left


def _read_after_number(reading: _Reading, text: str, n: Number, vague: bool) -> int:
    """Scale letters after a currency ("$500m"), 多/余/"-plus", "来", "or so" before the unit."""
    pos = n.end
    if reading.currency:
        letter = MONEY_LETTER_RE.match(text, pos)
        if letter:
            scale = MONEY_LETTER_SCALE[letter.group("letter")]
            reading.low, reading.high = n.low * scale, n.high * scale
            pos = letter.end()
    if not (n.is_range or vague):
        after = _AFTER_NUMBER_RE.match(text, pos)
        if after:
            if after.lastgroup == "at_least":
                reading.at_least_after = True
            else:
                reading.qualifier = reading.qualifier or Qualifier(after.lastgroup)
            pos = after.end()
    early = _SUFFIX_RE.match(text, pos)  # "500 or so workers", "600左右人" is rare but read
    if early:
        reading.qualifier = reading.qualifier or Qualifier(early.lastgroup)
        pos = early.end()
    return pos


def _read_unit(t: _Text, n: Number, reading: _Reading, pos: int, left: str) -> UnitMatch | None:
    """The unit word after the number; else money in the currency in front of it; else the metric
    a cue word right before it names. None when the figure is of nothing we track."""
    text = t.text
    clause = text[slice(*t.clause(n.start))]
    unit = match_unit(text, pos, clause, n.high)
    if unit and n.plain_int and n.low in _YEARS and unit.had_filler:
        unit = None  # "in 2025 new companies...": a year, not 2025 companies
    if unit is None and reading.currency:
        return UnitMatch(MONEY, f"money_{reading.currency}", pos, False, reading.currency)
    if unit is not None:
        return unit
    if OTHER_UNIT_RE.match(text, pos) or (n.plain_int and (n.low in _YEARS or n.low >= 1e6)):
        return None
    cue = _CUE_BEFORE_RE.search(left)
    if not cue:
        return None
    row = BY_KEY[cue.lastgroup]
    if row.money:
        if n.scale < _THIN_MONEY:
            return None
        return UnitMatch(MONEY, f"money_{DEFAULT_CURRENCY}", pos, False, DEFAULT_CURRENCY)
    classifier = _BARE_CLASSIFIER_RE.match(text, pos)
    return UnitMatch(row.key, row.pint_unit, classifier.end() if classifier else pos, False)


def _read_rate(text: str, pos: int, left: str) -> tuple[str | None, int]:
    """"a year", "/月" after the unit, or "annual", "年产" before the number."""
    after = RATE_AFTER_RE.match(text, pos)
    if after:
        return after.lastgroup, after.end()
    before = None
    for before in RATE_BEFORE_RE.finditer(left):
        pass
    return (before.lastgroup if before else None), pos


def _money_metric(t: _Text, start: int, end: int, rate: str | None, value: float) -> Metric | None:
    """Investment or output value by the cue word that names the figure: the noun right after
    it ("a 500 million yuan investment"), else the nearest before, else the first after. None for
    money that is no metric of ours (taxes, profit, subsidies, wages, prices...)."""
    c0, c1 = t.clause(start)
    text = t.text
    right_after = _CUE_RIGHT_AFTER_RE.match(text, end)
    if right_after:
        return Metric(right_after.lastgroup) if right_after.lastgroup != "other" else None
    hits = [(m.end(), -m.start(), key) for key, rx in _MONEY_CUES for m in rx.finditer(text, c0, start)]
    hits += [(m.end(), -m.start(), None) for m in _OTHER_MONEY_RE.finditer(text, c0, start)]
    if hits:
        key = max(hits, key=lambda h: h[:2])[2]  # the nearest; of two ending together, the longer
        return Metric(key) if key else None
    after = [(m.start(), key) for key, rx in _MONEY_CUES if (m := rx.search(text, end, c1))]
    if other := _OTHER_MONEY_RE.search(text, end, c1):
        after.append((other.start(), None))
    if after:
        key = min(after, key=lambda h: h[0])[1]
        return Metric(key) if key else None
    if rate == "hour" or value < _SMALL_MONEY:
        return None  # "3 dollars an hour" is a wage; "tickets cost 20 euros" a price
    return Metric.OUTPUT_VALUE if rate == "year" else Metric.INVESTMENT


def _qualify(reading: _Reading, n: Number, vague: bool) -> Qualifier:
    if vague:
        return Qualifier.VAGUE
    if reading.low != reading.high:
        return Qualifier.RANGE
    if reading.at_least_after or n.more:
        return Qualifier.AT_LEAST
    return reading.qualifier or (Qualifier.APPROX if n.about else Qualifier.EXACT)


def _quantity(t: _Text, n: Number, *, vague: bool) -> Fact | None:
    text = t.text
    c0 = max(t.clause(n.start)[0], n.start - _NEAR)
    left = text[c0:n.start]
    if _counts_nothing(t, n, left):
        return None
    reading = _Reading(n.low, n.high, n.start, n.end)
    left = _read_prefix(reading, left, c0)
    pos = _read_after_number(reading, text, n, vague)
    unit = _read_unit(t, n, reading, pos, left)
    if unit is None or text[n.start:n.end].lower() in _ARTICLES:
        return None  # no unit; or "一家公司表示", "one worker said": an article, not a count
    if reading.currency and unit.kind == MONEY:
        unit = replace(unit, currency=reading.currency, pint_unit=f"money_{reading.currency}")
    rate, pos = _read_rate(text, unit.end, left)
    rate = unit.rate or rate
    suffix = _SUFFIX_RE.match(text, pos)
    if suffix:
        reading.qualifier = reading.qualifier or Qualifier(suffix.lastgroup)
        pos = suffix.end()
    if _NOT_A_CLAIM_AFTER_RE.match(text, pos) or (not rate and PER_RE.match(text, pos)):
        return None  # "几家在谈"; "3元/度" is a price

    if unit.kind == MONEY:
        if _CHANGE_BEFORE_RE.search(left):
            return None  # "revenue rose by 2 billion yuan": a change, not a level
        metric = _money_metric(t, n.start, unit.end, rate, reading.high if reading.high is not None else 0)
        if metric is None:
            return None
    else:
        metric = Metric(unit.kind)
    canonical = canonical_unit(metric.value, unit.currency)
    if not canonical.endswith("/yr"):
        rate = None
    qualifier = _qualify(reading, n, vague)
    low, high = reading.low, reading.high
    if qualifier is Qualifier.AT_LEAST:
        high = None
    elif qualifier is Qualifier.AT_MOST:
        low = None
    return Fact(
        metric=metric,
        low=to_canonical(low, unit.pint_unit, rate, canonical),
        high=to_canonical(high, unit.pint_unit, rate, canonical),
        unit=canonical,
        qualifier=qualifier,
        span=(reading.start, pos),
        confidence=cues.VAGUE_CONFIDENCE if qualifier is Qualifier.VAGUE else 0.9,
    )


def _merge_ranges(t: _Text, facts: list[Fact]) -> list[Fact]:
    """"30亿元至50亿元", "5 GWh to 8 GWh", "between 2,000 workers and 3,000 workers": one range."""
    merged: list[Fact] = []
    for f in facts:
        prev = merged[-1] if merged else None
        if (prev is not None and prev.metric == f.metric and prev.unit == f.unit
                and prev.qualifier in (Qualifier.EXACT, Qualifier.APPROX) and f.qualifier is Qualifier.EXACT
                and prev.low is not None and f.high is not None and prev.low < f.high):
            gap = t.text[prev.span[1]:f.span[0]]
            if _RANGE_BETWEEN_RE.fullmatch(gap) or (
                    _BETWEEN_AND_RE.fullmatch(gap) and _BETWEEN_BEFORE_RE.search(t.text, 0, prev.span[0])):
                merged[-1] = replace(prev, high=f.high, qualifier=Qualifier.RANGE, span=(prev.span[0], f.span[1]))
                continue
        merged.append(f)
    return merged


def _quantities(t: _Text, excluded: list[tuple[int, int]]) -> list[Fact]:
    facts = []
    vague_spans = []
    for m in VAGUE_RE.finditer(t.text):
        if _overlaps(*m.span(), excluded):
            continue
        low, high = vague_range(m.group("phrase"), m.group("scale") or m.group("cnscale"))
        vague_spans.append(m.span())
        fact = _quantity(t, Number(low, high, m.start(), m.end()), vague=True)
        if fact:
            facts.append(fact)
    for n in find_numbers(t.text):
        if _overlaps(n.start, n.end, excluded + vague_spans):
            continue
        fact = _quantity(t, n, vague=n.vague)
        if fact:
            facts.append(fact)
    facts.sort(key=lambda f: f.span)
    return _merge_ranges(t, facts)


def _statuses(t: _Text) -> list[Fact]:
    """Status facts, one per status per sentence ("杂草丛生，未见施工" is one not_started)."""
    merged_spans: dict[tuple[int, Status], tuple[int, int, bool]] = {}
    for m in find_statuses(t.text):
        key = (t.sentence(m.start)[0], m.status)
        s, e, partly = merged_spans.get(key, (m.start, m.end, False))
        merged_spans[key] = (min(s, m.start), max(e, m.end), partly or m.partly)
    return [
        Fact(metric=Metric.STATUS, low=None, high=None, unit="",
             qualifier=Qualifier.APPROX if partly else Qualifier.EXACT,  # "only 3 of the 8 lines were running"
             status_value=status, span=(s, e), confidence=0.9)
        for (_, status), (s, e, partly) in merged_spans.items()
    ]


def extract_facts(text: str, *, reference_date: date | None = None) -> list[Fact]:
    """Every figure and status in `text`, in order of appearance; relative dates read against
    `reference_date` (today when None)."""
    return _read(text, reference_date)[1]


def _read(text: str, reference_date: date | None) -> tuple[_Text, list[Fact]]:
    folded = normalize(text)
    t = _Text(folded)
    dates = find_dates(folded, reference_date)
    excluded = [(d.start, d.end) for d in dates]
    facts = _quantities(t, excluded) + _statuses(t)

    by_sentence: dict[int, list[Fact]] = {}
    for f in facts:
        by_sentence.setdefault(t.sentence(f.span[0])[0], []).append(f)
    result = []
    for sentence_start, group in by_sentence.items():
        s0, s1 = t.sentence(sentence_start)
        sentence = folded[s0:s1]
        # "planned" next to other facts is a modal ("planned capacity of 20 GWh"), not a status.
        if len(group) > 1:
            group = [f for f in group if f.status_value is not Status.PLANNED] or group
        target = bool(cues.TARGET_RE.search(sentence))
        sentence_dates = [d for d in dates if d.value and s0 <= d.start < s1
                          and not _SINCE_BEFORE_RE.search(folded, s0, d.start)
                          and not _SINCE_AT_RE.match(folded, d.start)]
        for f in group:
            due = min(sentence_dates, key=lambda d: abs(d.start - f.span[1]), default=None)
            result.append(replace(f, surface=text[f.span[0]:f.span[1]], is_target=target,
                                  due_date=due.value if due else None))
    return t, sorted(result, key=lambda f: f.span)


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
    t, facts = _read(notes, visit_date)
    result = []
    for f in facts:
        method, role = _method(t, f)
        confidence = (cues.VAGUE_CONFIDENCE if f.qualifier is Qualifier.VAGUE
                      else cues.METHOD_CONFIDENCE[method])
        result.append(replace(f, method=method, source_role=role, confidence=confidence))
    return result
