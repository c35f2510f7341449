"""Unit words after a number, currency signs before it, and their conversion (with pint) to the
contract's canonical units. Every pattern comes from metrics.py (units, currencies) or from the
languages' word lists (rates, units we do not track)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import pint

from surveys.engine.metrics import BY_KEY, CURRENCIES, METRICS, UnitWord, money_unit
from surveys.engine.words import CODES, en, joined, merged

# One registry, built once at import: pint's defaults plus the survey's own dimensions.
UREG = pint.UnitRegistry()
UREG.define("chinese_mu = 666.67 * meter ** 2")
UREG.define("person = [headcount]")
UREG.define("enterprise = [enterprise_count]")
UREG.define("item = [item_count]")
for _currency in CURRENCIES:
    UREG.define(f"money_{_currency.code} = [currency_{_currency.code}]")

MONEY = "money"  # the kind of a currency word: investment or output value, decided by cue words


def ascii_bounded(pattern: str) -> str:
    """`\\b` in the tables' unit patterns ends an English word even before a Chinese character,
    which Python counts as a word character ("5MW光伏", "3km处")."""
    return pattern.replace(r"\b", r"(?![A-Za-z0-9_])")


@dataclass(frozen=True)
class _Word:
    kind: str  # a metric key, or MONEY
    pint_unit: str
    needs: str
    unless_at_least: float
    rate: str
    currency: str = ""


def _unit_words() -> tuple[list[_Word], list[str]]:
    """Every unit word with its pattern: currencies first ("块" is money before it is a classifier),
    then the metrics in their table order ("GWh" before "GW")."""
    words, patterns = [], []
    for currency in CURRENCIES:
        for code in CODES:
            for item in currency.words.get(code, []):
                word = item if isinstance(item, UnitWord) else UnitWord(currency.code, item)
                words.append(_Word(MONEY, f"money_{currency.code}", word.needs, word.unless_at_least, word.rate,
                                   currency.code))
                patterns.append(word.pattern)
    for row in METRICS:
        for code in CODES:
            for item in row.units.get(code, []):
                word = item if isinstance(item, UnitWord) else UnitWord(*item)
                words.append(_Word(row.key, word.pint_unit, word.needs, word.unless_at_least, word.rate))
                patterns.append(word.pattern)
    return words, patterns


_WORDS, _PATTERNS = _unit_words()
_PATTERNS = [ascii_bounded(p) for p in _PATTERNS]
UNIT_RE = re.compile(r"\s*-?\s*(?:" + "|".join(f"(?P<u{i}>{p})" for i, p in enumerate(_PATTERNS)) + ")", re.IGNORECASE)
_SINGLE_RES = [re.compile(r"\s*-?\s*(?:" + p + ")", re.IGNORECASE) for p in _PATTERNS]
# English unit words may follow a few descriptive words: "10 million battery cells", "2,500 new
# jobs", "more than 200 auto parts and components enterprises".
_FILLER_WORD = re.compile(
    r"\s*-?\s*(?!(?:a|an|per|of|or|in|at|on|to|by|the|year|years|from|than|for|with|who|which|that|were|was|are"
    r"|is|be|have|has|had|been|will|would|said|says|each|every|this|these|those|it|its|their|they|we|i|he|she"
    r"|you|there|here|and)\b)[a-z][a-z'-]*(?:\s+and(?=\s+[a-z]))?(?=\s)",
    re.IGNORECASE,
)
MAX_FILLER_WORDS = 4
_CONTEXT_RES = {name: re.compile(p, re.IGNORECASE) for name, p in merged("CONTEXTS").items()}

_CURRENCY_PREFIX = "|".join(
    f"(?P<c_{c.code}>{'|'.join(p for p in c.prefixes.values() if p)})" for c in CURRENCIES)
CURRENCY_PREFIX_RE = re.compile(rf"(?:{_CURRENCY_PREFIX})\s*$", re.IGNORECASE)
# "$500m", "€1.2bn" were read by numbers.py; "m" and "b" are scale letters only after a currency.
MONEY_LETTER_RE = re.compile(
    "(?-i:(?P<letter>" + "|".join(en.MONEY_SCALE_LETTERS) + "))n?(?![A-Za-z0-9²])")
MONEY_LETTER_SCALE = en.MONEY_SCALE_LETTERS

# Right after a number these mean it is not a count of anything we track.
OTHER_UNIT_RE = re.compile(ascii_bounded(rf"\s*(?:{joined('OTHER_UNITS')})"), re.IGNORECASE)
_RATES_AFTER, _RATES_BEFORE = merged("RATES_AFTER"), merged("RATES_BEFORE")
RATE_AFTER_RE = re.compile(ascii_bounded(r"\s*(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _RATES_AFTER.items()) + ")"),
                           re.IGNORECASE)
RATE_BEFORE_RE = re.compile("|".join(f"(?P<{k}>{v})" for k, v in _RATES_BEFORE.items()), re.IGNORECASE)
# A unit followed by "per something" that is no rate is a price or a density ("3元/度", "yuan per tonne").
PER_RE = re.compile(r"\s*(?:/|per\s|每)", re.IGNORECASE)


@dataclass(frozen=True)
class UnitMatch:
    kind: str  # a metric key, or MONEY
    pint_unit: str
    end: int
    had_filler: bool
    currency: str = ""
    rate: str = ""  # a rate the unit word itself says ("tpa")


def _context_holds(word: _Word, clause: str, value: float) -> bool:
    return not word.needs or value >= word.unless_at_least or bool(_CONTEXT_RES[word.needs].search(clause))


def _at(text: str, pos: int, clause: str, value: float) -> UnitMatch | None | bool:
    """The unit word at `pos`; False when there is none; None when one is there but its context is not."""
    m = UNIT_RE.match(text, pos)
    if not m:
        return False
    if text.startswith(("'", "’"), m.end()):
        return False  # "containers and workers' huts": a possessive describes another noun
    index = int(m.lastgroup[1:])
    word = _WORDS[index]
    if not _context_holds(word, clause, value):
        # the same words may mean something else in another row: "块" is money or a classifier
        for j in range(index + 1, len(_WORDS)):
            other = _SINGLE_RES[j].match(text, pos)
            if other and other.end() == m.end() and _context_holds(_WORDS[j], clause, value):
                word, m = _WORDS[j], other
                break
        else:
            return None
    return UnitMatch(word.kind, word.pint_unit, m.end(), False, word.currency, word.rate)


def match_unit(text: str, pos: int, clause: str, value: float) -> UnitMatch | None:
    """The unit word starting at `pos` (after a few English filler words at most); `clause` is the
    text its context words are looked for in, `value` the number it counts."""
    start = pos
    for _ in range(MAX_FILLER_WORDS + 1):
        found = _at(text, pos, clause, value)
        if found:
            return found if pos == start else UnitMatch(found.kind, found.pint_unit, found.end, True,
                                                        found.currency, found.rate)
        filler = _FILLER_WORD.match(text, pos)
        if not filler:
            return None
        pos = filler.end()
    return None


def canonical_unit(kind: str, currency: str = "") -> str:
    """The contract's unit for a metric key (money: in `currency`)."""
    row = BY_KEY[kind]
    return money_unit(row, currency) if row.money and currency else row.unit


def _pint_canonical(canonical: str) -> str:
    code, per_year = canonical.removesuffix("/yr"), canonical.endswith("/yr")
    if any(c.code == code for c in CURRENCIES):
        return f"money_{code}" + (" / year" if per_year else "")
    return next(row.pint_unit for row in METRICS if row.unit == canonical)


@lru_cache(maxsize=512)
def _factor(unit: str, rate: str | None, canonical: str) -> float:
    qty = UREG.Quantity(1, unit)
    if rate:
        qty = qty / UREG.Quantity(1, rate)
    elif canonical.endswith("/yr"):
        qty = qty / UREG.Quantity(1, "year")  # yearly figures are the default for output
    return qty.to(_pint_canonical(canonical)).magnitude


def to_canonical(value: float | None, unit: str, rate: str | None, canonical: str) -> float | None:
    """`value` in `unit` (per `rate`: "year", "month", "day", "hour" or None) in the canonical unit."""
    if value is None:
        return None
    return round_sig(float(value) * _factor(unit, rate, canonical))


def round_sig(x: float, digits: int = 12) -> float:
    """Drop float noise from conversions (1000 mu is 666670, not 666670.0000000001)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))
