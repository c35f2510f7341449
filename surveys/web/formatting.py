"""Numbers, quantities, roles and times as the desk's readers write them, in English or Chinese.

"600-700 people", "8,000", "1.2 million t/yr"; in Chinese "600-700 人", "2.5 万人", "80 亿元".
Times are shown in the site's zone, with the zone named and UTC on hover.
"""
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy

from surveys.engine.explain import ROLE_ZH
from surveys.engine.vague import vague_label
from surveys.vocab import Qualifier

UNIT_LABELS = {
    "person": pgettext_lazy("unit", "people"),
    "enterprise": pgettext_lazy("unit", "companies"),
    "GWh/yr": pgettext_lazy("unit", "GWh/yr"),
    "t/yr": pgettext_lazy("unit", "t/yr"),
    "unit/yr": pgettext_lazy("unit", "units/yr"),
    "m2": pgettext_lazy("unit", "m²"),
    "CNY": pgettext_lazy("unit", "yuan"),
    "CNY/yr": pgettext_lazy("unit", "yuan/yr"),
}
_EN_SCALES = ((1e9, "billion"), (1e6, "million"))
_ZH_SCALES = ((1e8, "亿"), (1e4, "万"))


def chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _digits(value: float) -> str:
    """At most two decimals, none when whole, thousands separated: 8,000 · 2.5 · 1,234.57."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:,.2f}".rstrip("0")


def number_text(value) -> str:
    """A figure as people write it: 8,000 · 1.2 million; in Chinese 8,000 · 2.5 万 · 80 亿."""
    if value is None:
        return "?"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    for size, word in (_ZH_SCALES if chinese() else _EN_SCALES):
        if abs(value) >= size:
            return f"{_digits(value / size)} {word}"
    return _digits(value)


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit or ""))


def _with_unit(number: str, unit: str) -> str:
    label = unit_label(unit)
    if not label:
        return number
    # "2.5 万人", "80 亿元": a Chinese scale word takes its unit directly.
    return f"{number}{label}" if chinese() and number.endswith(("万", "亿")) else f"{number} {label}"


def quantity_text(low, high, unit: str = "", qualifier: str = "") -> str:
    """A value range: "600-700 people", "at least 150 companies", "about 40", "a few dozen (24-99)"."""
    if low is None and high is None:
        return "?"
    if low is not None and high is not None and low != high:
        text = f"{number_text(low)}-{number_text(high)}"
        if qualifier == Qualifier.VAGUE:
            label = vague_label(low, high, chinese=chinese())
            text = f"{label} ({text})" if label else text
    elif high is None:
        text = gettext("at least %(number)s") % {"number": number_text(low)}
    elif low is None:
        text = gettext("at most %(number)s") % {"number": number_text(high)}
    elif qualifier == Qualifier.APPROX:
        text = gettext("about %(number)s") % {"number": number_text(low)}
    else:
        text = number_text(low)
    return _with_unit(text, unit)


def value_text(row, *, with_due: bool = False) -> str:
    """An observation, claim, fact or value dict as "600-700 people", or its status in words."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name, None))
    if not row:
        return "—"
    if get("status_value"):
        text = gettext(get("status_value").replace("_", " "))
    else:
        text = quantity_text(get("low"), get("high"), get("unit") or "", get("qualifier") or "")
    if with_due and get("due_date"):
        text += " · " + gettext("due %(date)s") % {"date": get("due_date")}
    return text


def distance_text(metres: float) -> str:
    """"800 m", "31.2 km"."""
    if metres >= 1000:
        return gettext("%(n)s km") % {"n": number_text(round(metres / 1000, 1))}
    return gettext("%(n)s m") % {"n": number_text(round(metres))}


def role_label(role: str) -> str:
    """A source's role in the page's language (the engine's names), or as the reporter wrote it."""
    if chinese():
        return ROLE_ZH.get(role, role)
    return role


# --- Times ------------------------------------------------------------------

@lru_cache(maxsize=64)
def _zone(name: str) -> dt.tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def desk_zone_name(zone: str | None) -> str:
    """The zone a time is shown in: the site's, else the desk's (settings.DESK_TIME_ZONE), else UTC."""
    for name in (zone, settings.DESK_TIME_ZONE):
        if name and _zone(name) is not None:
            return name
    return "UTC"


def tzinfo_for(zone: str | None) -> dt.tzinfo:
    return _zone(desk_zone_name(zone)) or dt.timezone.utc


@dataclass(frozen=True)
class LocalTime:
    iso: str  # the instant, for <time datetime>
    text: str  # in the zone: "2025-10-14 14:30"
    zone: str  # "Asia/Shanghai"
    offset: str  # "UTC+8"
    utc: str  # "2025-10-14 06:30 UTC", shown on hover


def local_time(value: dt.datetime, zone: str | None, *, date_only: bool = False) -> LocalTime:
    name = desk_zone_name(zone)
    local = value.astimezone(tzinfo_for(name))
    minutes = int(local.utcoffset().total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    offset = f"UTC{'+' if minutes >= 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")
    return LocalTime(
        iso=value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
        text=local.strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M"),
        zone=name,
        offset=offset if minutes else "UTC",
        utc=value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )
