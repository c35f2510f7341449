"""Unit words after a number, and their conversion (with pint) to the contract's canonical units."""
from __future__ import annotations

import math
import re
from functools import lru_cache

import pint

from surveys.vocab import Metric

# One registry, built once at import: pint's defaults plus the survey's own dimensions.
UREG = pint.UnitRegistry()
UREG.define("chinese_mu = 666.67 * meter ** 2")
UREG.define("person = [headcount]")
UREG.define("enterprise = [enterprise_count]")
UREG.define("item = [item_count]")
UREG.define("yuan = [currency]")

# Canonical unit string of the contract -> the same unit in pint's notation.
PINT_CANONICAL: dict[str, str] = {
    "person": "person",
    "enterprise": "enterprise",
    "GWh/yr": "GWh / year",
    "t/yr": "tonne / year",
    "unit/yr": "item / year",
    "m2": "meter ** 2",
    "CNY": "yuan",
    "CNY/yr": "yuan / year",
}

# Unit kinds. "vehicle" is an item that only counts as output with a production context
# (reporters count parked cars; those are not output). "money" is investment or output value.
_UNIT_PATTERNS: list[tuple[str, str, str]] = [  # (kind, pint unit, regex)
    ("energy", "TWh", r"TWh|terawatt[- ]hours?|太瓦时"),
    ("energy", "GWh", r"GWh|gigawatt[- ]hours?|吉瓦时|GW时"),
    ("energy", "MWh", r"MWh|megawatt[- ]hours?|兆瓦时"),
    ("energy", "kWh", r"kWh|kilowatt[- ]hours?|千瓦时"),
    ("mass", "tonne", r"(?:metric\s+)?(?:tonnes?|tons?)\b|t\b|吨"),
    ("mass", "kilogram", r"kilograms?\b|kg\b|公斤|千克"),
    ("area", "chinese_mu", r"mu\b|亩"),
    ("area", "kilometer ** 2", r"km²|km2\b|sq\.?\s*km\b|square\s+kilomet(?:er|re)s?\b|平方公里|平方千米"),
    ("area", "meter ** 2", r"m²|m2\b|sqm\b|sq\.?\s*m\b|square\s+met(?:er|re)s?\b|平方米|平米"),
    ("area", "hectare", r"hectares?\b|ha\b|公顷"),
    ("area", "acre", r"acres?\b"),
    ("money", "yuan", r"yuan\b|RMB\b|CNY\b|元|人民币"),
    ("person", "person", r"(?:people|persons?|jobs?|employees?|workers?|staff(?:ers|\s+members)?"
                          r"|workforce|employment|positions)\b"
                          r"|个?(?:就业)?岗位|个?(?:员工|工人|职工|人员)|名(?:员工|工人|职工)?|位(?:员工|工人)?"
                          r"|人(?!次|民|口|均)"),
    ("enterprise", "enterprise", r"(?:enterprises?|companies|company|firms?|businesses|tenants)\b"
                                 r"|家(?:企业|公司)?|个?(?:企业|公司)"),
    ("vehicle", "item", r"(?:vehicles?|cars?|trucks?|lorries|buses|EVs?)\b|辆"),
    ("item", "item", r"(?:cells?|batteries|battery\s+cells|modules?|panels?|wafers?|chips?|units?"
                     r"|pieces?|pcs|sets?|devices?)\b|片|台|套|件|块|只|颗|枚|支"),
]
# English units may follow a couple of descriptive words: "10 million battery cells",
# "2,500 new jobs", "150 high-tech enterprises".
_FILLER = r"(?:(?!(?:a|per|of|and|or|in|at|on|to|by|the|year|years)\b)[a-z][a-z-]*\s+){0,2}?"
UNIT_RE = re.compile(
    r"\s*(?:(?P<filler>" + _FILLER + r")(?:"
    + "|".join(f"(?P<u{i}>{rx})" for i, (_, _, rx) in enumerate(_UNIT_PATTERNS))
    + r"))",
    re.IGNORECASE,
)
CURRENCY_PREFIX_RE = re.compile(r"(?:RMB|CNY|人民币|[¥￥])\s*$", re.IGNORECASE)

# Right after a number these mean it is not a count of anything we track.
OTHER_UNIT_RE = re.compile(
    r"\s*(?:%|％|percent|per\s*cent|个百分点|成|倍|times\b|km\b|kilomet|公里|米|met(?:er|re)s?\b|m\b"
    r"|hours?\b|小时|days?\b|天|weeks?\b|周|months?\b|个月|月|years?\b|岁|年|日|号|期|楼|层|栋|点|时"
    r"|分|秒|次|[GMk]W\b|吉瓦|兆瓦|千瓦|°|度|floors?\b|storeys?\b|minutes?\b|[ap]\.?m\.?\b|:|：)",
    re.IGNORECASE,
)

RATE_AFTER_RE = re.compile(
    r"\s*(?:(?P<year>per\s+(?:year|annum)|a\s+year|each\s+year|every\s+year|/\s*(?:yr|year|a)\b"
    r"|annually|yearly|p\.a\.|/年|每年)|(?P<month>per\s+month|a\s+month|/\s*month|monthly|/月|每月)"
    r"|(?P<day>per\s+day|a\s+day|/\s*day|daily|/天|/日|每天|每日))",
    re.IGNORECASE,
)
RATE_BEFORE_RE = re.compile(
    r"(?P<year>annual|annually|yearly|per\s+year|a\s+year|每年|年(?:产|销|营|均|收|纳税|用电|设计|生产))"
    r"|(?P<month>monthly|月产|每月)|(?P<day>daily|日产|每天|每日)",
    re.IGNORECASE,
)


def match_unit(text: str, pos: int) -> tuple[str, str, int, bool] | None:
    """(kind, pint unit, end, had filler words) of the unit word starting at `pos`."""
    m = UNIT_RE.match(text, pos)
    if not m:
        return None
    for i, (kind, unit, _) in enumerate(_UNIT_PATTERNS):
        if m.group(f"u{i}") is not None:
            return kind, unit, m.end(), bool(m.group("filler"))
    return None


@lru_cache(maxsize=256)
def _factor(unit: str, rate: str | None, canonical: str) -> float:
    qty = UREG.Quantity(1, unit)
    if rate:
        qty = qty / UREG.Quantity(1, rate)
    elif canonical.endswith("/yr"):
        qty = qty / UREG.Quantity(1, "year")  # yearly figures are the default for output
    return qty.to(PINT_CANONICAL[canonical]).magnitude


def to_canonical(value: float | None, unit: str, rate: str | None, canonical: str) -> float | None:
    """`value` in `unit` (per `rate`: "year", "month", "day" or None) in the canonical unit."""
    if value is None:
        return None
    return round_sig(float(value) * _factor(unit, rate, canonical))


def round_sig(x: float, digits: int = 12) -> float:
    """Drop float noise from conversions (1000 mu is 666670, not 666670.0000000001)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


KIND_METRIC: dict[str, Metric] = {
    "person": Metric.HEADCOUNT,
    "enterprise": Metric.ENTERPRISES,
    "energy": Metric.CAPACITY_ENERGY,
    "mass": Metric.OUTPUT_MASS,
    "item": Metric.OUTPUT_UNITS,
    "vehicle": Metric.OUTPUT_UNITS,
    "area": Metric.AREA,
}
