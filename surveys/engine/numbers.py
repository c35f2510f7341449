"""Numerals in English and Chinese text, before any unit or meaning is attached.

`find_numbers` returns every numeral with its span; ranges ("12-15 billion", "120亿至150亿",
"三四千") are merged into one `Number` with the scale word applied to both ends.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}

SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
    "trillion": 1e12, "百": 1e2, "千": 1e3, "万": 1e4, "亿": 1e8, "百万": 1e6, "千万": 1e7,
    "万亿": 1e12,
}

EN_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
EN_TENS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
EN_MULT = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_EN_WORD = "|".join(sorted([*EN_SMALL, *EN_TENS, *EN_MULT, "dozen"], key=len, reverse=True))

# A Chinese scale after digits may be preceded by 多/余 ("1000多万" = more than ten million).
def _cn_scale(tag: str) -> str:
    return rf"(?P<more{tag}>[多余])?(?P<cnscale{tag}>万亿|百万|千万|万|亿|千|百)"



_EN_SCALE = r"(?:\s*(?P<enscale>thousand|million|billion|trillion)\b|(?P<abbr>bn|mn|k)\b)"
_ARABIC = r"(?P<arabic>(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
_CN_PAIR = r"(?P<pair>[一二两三四五六七八九][二三四五六七八九])(?P<pairunit>[十百千])(?P<pairbig>[万亿])?"
# 百/千/万 open a numeral only after 近/逾/约/超/过 ("近千名", "逾万人").
_CN_NUM = r"(?P<cn>(?:[一二两三四五六七八九十]|(?<=[近逾约超过])[百千万])[零〇一二两三四五六七八九十百千万亿]*)"
_EN_NUM = (rf"(?P<en>\b(?:an?\s+(?=(?:dozen|hundred|thousand|million|billion)\b))?"
           rf"(?:{_EN_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_EN_WORD}))*\b)")

NUMBER_RE = re.compile(
    rf"{_ARABIC}(?:\s*{_cn_scale('a')}|{_EN_SCALE})?|{_CN_PAIR}|{_CN_NUM}(?:{_cn_scale('c')})?|{_EN_NUM}",
    re.IGNORECASE,
)
_RANGE_SEP = re.compile(r"\s*(?:-|–|—|~|〜|～|to|至|到|or)\s*", re.IGNORECASE)
_BETWEEN_SEP = re.compile(r"\s+and\s+", re.IGNORECASE)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Number:
    low: float
    high: float  # equals low unless the numeral is itself a range
    start: int
    end: int
    scale: float = 1.0  # the scale word it carried (万 = 1e4), 1 when none
    more: bool = False  # "多/余" sat between the digits and the scale word
    plain_int: bool = False  # bare digits: could be a year, a phone number or an id

    @property
    def is_range(self) -> bool:
        return self.low != self.high


def parse_chinese(s: str) -> float | None:
    """Value of a Chinese numeral: 十二, 两万, 一千二百, 一亿二千万, colloquial 一千二 / 两万五."""
    if s and all(ch in CN_DIGITS for ch in s):  # 二〇二五: digit by digit
        return float("".join(str(CN_DIGITS[ch]) for ch in s))
    total = section = digit = 0.0
    last_unit = 1.0
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            section += (digit or 1) * CN_SMALL_UNITS[ch]
            last_unit, digit = CN_SMALL_UNITS[ch], 0
        elif ch == "万":
            total += (section + digit or 1) * 1e4
            section = digit = 0
            last_unit = 1e4
        elif ch == "亿":
            total = (total + section + digit or 1) * 1e8
            section = digit = 0
            last_unit = 1e8
        else:
            return None
    if digit and last_unit >= 100 and "零" not in s[-2:]:
        digit *= last_unit / 10  # 一千二 = 1200, 两万五 = 25000
    return total + section + digit


def parse_english(s: str) -> float | None:
    total = current = 0.0
    for w in re.split(r"[\s-]+", s.lower()):
        if w in ("a", "an", "and", ""):
            continue
        if w in EN_SMALL:
            current += EN_SMALL[w]
        elif w in EN_TENS:
            current += EN_TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in EN_MULT:
            total += (current or 1) * EN_MULT[w]
            current = 0
        else:
            return None
    return total + current


def _atom(m: re.Match) -> Number | None:
    g = m.groupdict()
    start, end = m.span()
    if g["arabic"]:
        raw = g["arabic"]
        value = float(raw.replace(",", ""))
        scale_word = g["cnscalea"] or g["enscale"] or g["abbr"]
        scale = SCALES[scale_word.lower()] if scale_word else 1.0
        plain = scale_word is None and raw.isdigit()
        return Number(value * scale, value * scale, start, end, scale, bool(g["morea"]), plain)
    if g["pair"]:  # 三四千 = 3000-4000, 六七百 = 600-700, 三五百 = 300-500
        a, b = (CN_DIGITS[c] for c in g["pair"])
        if b <= a:
            return None
        mult = CN_SMALL_UNITS[g["pairunit"]] * (SCALES[g["pairbig"]] if g["pairbig"] else 1)
        return Number(a * mult, b * mult, start, end, mult)
    if g["cn"]:
        value = parse_chinese(g["cn"])
        if value is None:
            return None
        scale = 1.0
        if g["cnscalec"]:
            scale = SCALES[g["cnscalec"]]
            value *= scale
        elif "亿" in g["cn"] or "万" in g["cn"]:
            scale = SCALES["亿" if "亿" in g["cn"] else "万"]
        plain = all(ch in CN_DIGITS for ch in g["cn"]) and len(g["cn"]) == 4
        return Number(value, value, start, end, scale, bool(g["morec"]), plain)
    value = parse_english(g["en"])
    if value is None:
        return None
    big = [v for w, v in EN_MULT.items() if re.search(rf"\b{w}\b", g["en"], re.I) and v >= 1e3]
    return Number(value, value, start, end, max(big, default=1.0))


def find_numbers(text: str) -> list[Number]:
    atoms = [a for a in map(_atom, NUMBER_RE.finditer(text)) if a is not None]
    merged: list[Number] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        if i + 1 < len(atoms) and not a.is_range:
            b = atoms[i + 1]
            gap = text[a.end:b.start]
            sep_ok = _RANGE_SEP.fullmatch(gap) or (
                _BETWEEN_SEP.fullmatch(gap) and _BETWEEN_BEFORE.search(text, 0, a.start))
            if sep_ok and not b.is_range and not a.more:
                low = a.low
                if a.scale == 1.0 and b.scale > 1.0:
                    low *= b.scale  # "12-15 billion": the scale word binds both ends
                if low <= b.high:
                    merged.append(replace(b, low=low, start=a.start, plain_int=a.plain_int and b.plain_int))
                    i += 2
                    continue
        merged.append(a)
        i += 1
    return merged
