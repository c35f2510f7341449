"""Dates and deadlines in English and Chinese text.

Every date found is a span that numbers must not be read from ("2025", "6月", "2025年底").
Deadlines resolve to the last day of the period named: "by June" is the June on or after the
reference date, "2025年底" is 2025-12-31, "within two years" is two years after the reference.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from surveys.engine.numbers import parse_chinese, parse_english

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_CN_DIGIT = "零〇一二两三四五六七八九十"
_CN_YEAR = rf"(?P<cyear>(?:19|20)\d{{2}}|[{_CN_DIGIT}]{{4}})"
_CN_MONTH = rf"(?P<cmon>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})"
_NUM_WORD = r"(?P<n>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|[一二两三四五六七八九十]+)"

_PATTERNS: list[tuple[str, str]] = [  # (kind, regex); first match at a position wins
    ("iso", r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b"),
    ("cn_full", rf"{_CN_YEAR}年(?:{_CN_MONTH}月(?:份)?(?:(?P<cday>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})[日号])?"
                r"(?P<cmend>底|末)?|(?P<half>上半年|下半年)|(?P<yend>底|末|年底|年末|内))?(?:前|之前|以前)?"),
    ("cn_rel_year", r"(?P<rel>今年|明年|后年)(?:(?:" + _CN_MONTH + r")月(?:份|底|末)?|(?P<half>上半年|下半年)"
                    r"|(?P<yend>底|末|年底|内))?(?:前|之前)?"),
    ("cn_month", _CN_MONTH + rf"月(?:份)?(?:(?P<cday>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})[日号])?(?:底|末)?(?:前|之前)?"),
    ("cn_year_end", r"年(?:底|末|内)(?:前|之前)?"),
    ("cn_within", rf"(?P<n>\d+|[一二两三四五六七八九十]+)(?P<u>年|个月)(?:内|之内|以内)"),
    ("en_end", r"\b(?:the\s+)?end(?:\s+of|-)\s*(?:(?:the\s+)?(?P<thisyear>(?:this\s+)?year)|" + _YEAR
               + r"|(?P<next>next\s+year))\b"),
    ("en_half", r"\b(?:the\s+)?(?P<h>first|second)\s+half\s+of\s+(?:" + _YEAR + r"|(?P<next>next\s+year)|(?P<thisyear>this\s+year))\b"),
    ("en_day_month", r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+" + _YEAR + r")?\b"),
    ("en_month", r"\b" + _MONTH + r"(?:\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b)?(?:,?\s+" + _YEAR + r")?\b"),
    ("en_rel", r"\b(?P<rel>next|this)\s+(?P<what>year|month)\b"),
    ("en_within", r"\b(?:within|in)\s+(?:the\s+next\s+)?" + _NUM_WORD + r"\s+(?P<u>years?|months?)\b"),
    ("en_year", r"\b(?:by|in|before|until|till|since|from|of|during|around|after)\s+(?:early\s+|mid-?|late\s+)?" + _YEAR + r"\b"),
    ("time", r"\b\d{1,2}[:：]\d{2}\b|\b\d{1,2}\s*(?:[ap]\.?m\.?)(?![a-z])|(?:上午|下午|晚上|早上|中午)?\d{1,2}[点時时](?:\d{1,2}分|半)?"),
]
# One scanning regex (inner group names stripped, they repeat across patterns); each hit is
# then re-read with its own pattern for the groups.
_DATE_RE = re.compile(
    "|".join(f"(?P<k_{k}>{re.sub(r'[(][?]P<[a-z]+>', '(?:', rx)})" for k, rx in _PATTERNS), re.IGNORECASE
)
_SUB_RES = {k: re.compile(rx, re.IGNORECASE) for k, rx in _PATTERNS}

# Short month names are also English words ("may", "mar"): only read as months with a day or year.
_AMBIGUOUS_MONTHS = {"may", "mar", "jun", "jan", "dec", "sep", "oct", "aug", "apr", "nov", "feb", "jul"}


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: date | None  # None for times of day and unreadable dates


def _end_of_month(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _month_on_or_after(m: int, ref: date) -> date:
    return _end_of_month(ref.year if m >= ref.month else ref.year + 1, m)


def _add_months(ref: date, months: int) -> date:
    y, m = divmod(ref.month - 1 + months, 12)
    y, m = ref.year + y, m + 1
    return date(y, m, min(ref.day, calendar.monthrange(y, m)[1]))


def _int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    parsed = parse_chinese(s)
    v = parsed[0] if parsed else None
    if v is None:
        v = parse_english("one" if s.lower() == "a" else s)
    return int(v) if v else None


def _safe(y: int, m: int, d: int | None) -> date | None:
    try:
        return date(y, m, d) if d else _end_of_month(y, m)
    except ValueError:
        return None


def _resolve(kind: str, g: dict, ref: date) -> date | None:
    if kind == "iso":
        return _safe(int(g["y"]), int(g["m"]), int(g["d"]))
    if kind in ("cn_full", "cn_rel_year"):
        if kind == "cn_full":
            y = _int(g["cyear"])
        else:
            y = ref.year + {"今年": 0, "明年": 1, "后年": 2}[g["rel"]]
        if g.get("cmon"):
            day = _int(g["cday"]) if g.get("cday") else None
            return _safe(y, _int(g["cmon"]) or 0, day)
        if g.get("half") == "上半年":
            return date(y, 6, 30)
        return date(y, 12, 31)
    if kind == "cn_month":
        m = _int(g["cmon"])
        if not m or m > 12:
            return None
        end = _month_on_or_after(m, ref)
        return _safe(end.year, m, _int(g["cday"]) if g.get("cday") else None)
    if kind == "cn_year_end":
        return date(ref.year, 12, 31)
    if kind in ("cn_within", "en_within"):
        n = _int(g["n"])
        if not n:
            return None
        months = n if g["u"].lower().startswith(("m", "个")) else 12 * n
        return _add_months(ref, months)
    if kind in ("en_end", "en_half"):
        y = int(g["year"]) if g.get("year") else ref.year + (1 if g.get("next") else 0)
        if kind == "en_half" and g["h"].lower() == "first":
            return date(y, 6, 30)
        return date(y, 12, 31)
    if kind in ("en_day_month", "en_month"):
        m = MONTHS[g["mon"].lower()]
        day = int(g["d"]) if g.get("d") else None
        if g.get("year"):
            return _safe(int(g["year"]), m, day)
        end = _month_on_or_after(m, ref)
        return _safe(end.year, m, day)
    if kind == "en_rel":
        if g["what"].lower() == "year":
            return date(ref.year + (1 if g["rel"].lower() == "next" else 0), 12, 31)
        nxt = _add_months(ref.replace(day=1), 1 if g["rel"].lower() == "next" else 0)
        return _end_of_month(nxt.year, nxt.month)
    if kind == "en_year":
        return date(int(g["year"]), 12, 31)
    return None


def find_dates(text: str, reference_date: date | None = None) -> list[DateMention]:
    ref = reference_date or date.today()
    found = []
    for m in _DATE_RE.finditer(text):
        kind = next(k[2:] for k, v in m.groupdict().items() if k.startswith("k_") and v is not None)
        sub = _SUB_RES[kind].fullmatch(m.group())
        g = sub.groupdict() if sub else {}
        if kind == "en_month" and g["mon"].lower() in _AMBIGUOUS_MONTHS | {"march"} and not (g.get("d") or g.get("year")):
            if g["mon"].lower() in ("may", "march") and not re.search(r"\b(?:by|in|until|before|since|from|of|end)\s+$", text[:m.start()], re.I):
                continue
            if g["mon"].lower() not in ("may", "march") and len(g["mon"]) == 3:
                continue
        value = None if kind == "time" else _resolve(kind, g, ref)
        found.append(DateMention(m.start(), m.end(), value))
    return found
