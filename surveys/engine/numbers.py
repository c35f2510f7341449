"""Numerals in English and Chinese text, before any unit or meaning is attached.

`normalize` folds full-width, traditional and financial numeral characters into ordinary ones,
one character for one, so that every span found in the folded text is a span of the original.
`find_numbers` then returns every numeral with its span. A numeral can itself be a range:
"三四千" (3,000-4,000), "十七八" (17-18), "12-15 billion", "120亿至150亿", "two or three hundred"
(the scale word binds both ends); or vague: "三十几" (31-39).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from surveys.engine.words import en, joined, zh

# --- folding ----------------------------------------------------------------------------
_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F) if chr(c) != "，"}
_FOLD = str.maketrans({**_FULLWIDTH, "\u3000": " ", **zh.TRADITIONAL})
_NUMERAL_CHARS = "".join(zh.DIGITS) + "十百千万亿" + "".join(zh.FINANCIAL)
_FINANCIAL_RUN = re.compile(f"[{_NUMERAL_CHARS}]{{2,}}|[{''.join(zh.FINANCIAL)}](?=元)")
_HAS_FINANCIAL = re.compile(f"[{''.join(zh.FINANCIAL)}]")
_FINANCIAL = str.maketrans(zh.FINANCIAL)
_WIDE_GROUPING = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")


def normalize(text: str) -> str:
    """`text` with numerals in their ordinary form; the same length, character for character."""
    if "，" in text:
        text = _WIDE_GROUPING.sub(",", text)  # "１２３，４５６": a full-width thousands separator
    text = text.translate(_FOLD)
    if _HAS_FINANCIAL.search(text):
        text = _FINANCIAL_RUN.sub(lambda m: m.group().translate(_FINANCIAL), text)
    return text


# --- parsing ----------------------------------------------------------------------------
_CN_TOKEN = re.compile(r"\d+(?:\.\d+)?|.")


def _cn_value(s: str) -> float | None:
    """Value of a Chinese numeral, Arabic digits allowed between the units: 十二, 一千二, 两万五,
    一亿二千万, 1万2千, 3万5, 2亿3000万, 1.2万."""
    tokens = _CN_TOKEN.findall(s.replace("廿", "二十").replace("卅", "三十"))
    if len(tokens) > 1 and all(t in zh.DIGITS for t in tokens):  # 二〇二五: digit by digit
        return float("".join(str(zh.DIGITS[t]) for t in tokens))
    total = section = 0.0
    digit: float | None = None
    last_unit = 1.0
    for tok in tokens:
        if tok in zh.DIGITS or tok[0].isdigit():
            if digit is not None and digit != 0:
                return None  # two numerals in a row mean nothing here
            digit = float(tok) if tok[0].isdigit() else float(zh.DIGITS[tok])
        elif tok in zh.SMALL_UNITS:
            section += (1 if digit is None else digit) * zh.SMALL_UNITS[tok]
            last_unit, digit = zh.SMALL_UNITS[tok], None
        elif tok == "万":
            total += (section + (digit or 0) or 1) * 1e4
            section, digit, last_unit = 0, None, 1e4
        elif tok == "亿":
            total = (total + section + (digit or 0) or 1) * 1e8
            section, digit, last_unit = 0, None, 1e8
        else:
            return None
    if digit and last_unit >= 100 and "零" not in s[-2:] and "〇" not in s[-2:]:
        digit *= last_unit / 10  # 一千二 = 1200, 两万五 = 25000, 3万5 = 35000
    return total + section + (digit or 0)


def _adjacent_pair(s: str) -> tuple[str, str] | None:
    """The two readings of a numeral holding two neighbouring digits: 十七八 -> (十七, 十八)."""
    for i in range(len(s) - 1):
        a, b = zh.DIGITS.get(s[i]), zh.DIGITS.get(s[i + 1])
        if a is not None and b is not None and (a, b) in zh.ADJACENT_PAIRS:
            return s[:i] + s[i] + s[i + 2:], s[:i] + s[i + 1] + s[i + 2:]
    return None


def parse_chinese(s: str) -> tuple[float, float, bool] | None:
    """(low, high, vague) of a Chinese numeral: a value (low == high), an adjacent-numeral range
    (两三 = 2-3), a vague tail (三十几 = 31-39), decimals with 点 (一点五 = 1.5)."""
    if zh.DECIMAL_POINT in s:
        whole, _, fraction = s.partition(zh.DECIMAL_POINT)
        base = _cn_value(whole)
        if base is None or not fraction or any(ch not in zh.DIGITS for ch in fraction):
            return None
        value = base + float("0." + "".join(str(zh.DIGITS[ch]) for ch in fraction))
        return value, value, False
    if s.endswith(zh.VAGUE_ENDING):
        base = _cn_value(s[:-1])
        unit = zh.SMALL_UNITS.get(s[-2], 0) / 10 if len(s) > 1 else 0
        if base is None or unit < 1:
            return None
        return base + unit, base + 9 * unit, True
    all_digits = all(ch in zh.DIGITS for ch in s)
    pair = None if all_digits and len(s) > 2 else _adjacent_pair(s)
    if pair:
        low, high = _cn_value(pair[0]), _cn_value(pair[1])
        if low is None or high is None or low >= high:
            return None
        return low, high, False
    value = _cn_value(s)
    return None if value is None else (value, value, False)


def parse_english(s: str) -> float | None:
    total = current = 0.0
    for w in re.split(r"[\s-]+", s.lower()):
        if w in ("a", "an", "and", ""):
            continue
        if w in en.SMALL_NUMBERS:
            current += en.SMALL_NUMBERS[w]
        elif w in en.TENS:
            current += en.TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in en.MULTIPLIERS:
            total += (current or 1) * en.MULTIPLIERS[w]
            current = 0
        else:
            return None
    return total + current


# --- finding ------------------------------------------------------------------------------
_CN_DIGIT = "".join(zh.DIGITS)
_CN_LEADING = "".join(d for d, v in zh.DIGITS.items() if v) + "十廿卅"  # a lone 零 is no count ("零部件")
_EN_WORD = "|".join(sorted([*en.SMALL_NUMBERS, *en.TENS, *en.MULTIPLIERS, "dozen"], key=len, reverse=True))
_EN_SCALE = "|".join(sorted(en.SCALE_WORDS, key=len, reverse=True))
_ARABIC = (r"(?<![\d.,])(?P<arabic>\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ '\u00a0\u2009\u202f]\d{3})+(?![\d,])|\d+)"
           r"(?P<fraction>\.\d+)?")
# After digits: Chinese units and digits ("1万2千", "2亿3000万", "1000多万"), or an English scale.
_CN_UNIT = "[百千万亿](?![瓦米克])"  # not the 千 of 千瓦, 千米, 千克
_ARABIC_TAIL = (rf"(?P<cntail>\s?(?P<more_a>[多余])?{_CN_UNIT}(?:{_CN_UNIT}|\d+(?:\.\d+)?|[{_CN_DIGIT}])*)"
                rf"|(?:\s*|-)(?P<enscale>{_EN_SCALE})\b|(?P<letter>(?-i:[{''.join(en.SCALE_LETTERS)}]))(?![A-Za-z0-9²])")
_CN_NUM = (rf"(?P<cn>(?:[{_CN_LEADING}]|(?<=[{zh.BARE_MAGNITUDE_BEFORE}])[百千万]|[百千万](?=[{zh.BARE_MAGNITUDE_AFTER}]))"
           rf"(?:[{_CN_DIGIT}十廿卅]|{_CN_UNIT})*(?:{zh.DECIMAL_POINT}[{_CN_DIGIT}]+)?{zh.VAGUE_ENDING}?)"
           r"(?:(?P<more_c>[多余])?(?P<about_c>来)?(?P<cnscale>万亿|百万|千万|万|亿|千|百)(?![瓦米克]))?")
_EN_NUM = (rf"(?P<en>\b(?:an?\s+(?=(?:dozen|hundred|thousand|million|billion)\b))?"
           rf"(?:{_EN_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_EN_WORD}))*\b)")
NUMBER_RE = re.compile(rf"{_ARABIC}(?:{_ARABIC_TAIL})?|{_CN_NUM}|{_EN_NUM}", re.IGNORECASE)
_RANGE_SEP = re.compile(rf"\s*(?:{joined('RANGE_SEPARATORS')})\s*", re.IGNORECASE)
_BETWEEN_AND = re.compile(en.BETWEEN_AND, re.IGNORECASE)
_BETWEEN_BEFORE = re.compile(en.BETWEEN_BEFORE, re.IGNORECASE)
_SCALES = {**{k.lower(): v for k, v in en.SCALE_WORDS.items()}, **zh.SCALE_WORDS}


@dataclass(frozen=True)
class Number:
    low: float
    high: float  # equals low unless the numeral is itself a range
    start: int
    end: int
    scale: float = 1.0  # the largest scale word it carried (万 = 1e4), 1 when none
    more: bool = False  # "多/余" sat between the digits and the scale word ("1000多万")
    plain_int: bool = False  # bare digits: could be a year, a phone number or an id
    vague: bool = False  # "三十几": a vague count, not a range anyone stated
    word: bool = False  # spelled out in English words ("two", "a dozen")
    about: bool = False  # "来" sat between the digits and the scale word ("三千来万" = about 30 million)

    @property
    def is_range(self) -> bool:
        return self.low != self.high


def _largest_unit(s: str) -> float:
    return next((v for ch, v in (("亿", 1e8), ("万", 1e4), ("千", 1e3), ("百", 1e2)) if ch in s), 1.0)


def _atom(m: re.Match) -> Number | None:
    g = m.groupdict()
    start, end = m.span()
    if g["arabic"]:
        raw = re.sub(r"[,'\s\u00a0\u2009\u202f]", "", g["arabic"]) + (g["fraction"] or "")
        if g["cntail"]:
            tail = g["cntail"].strip()
            value = _cn_value(raw + tail.replace("多", "").replace("余", ""))
            if value is None:
                return None
            return Number(value, value, start, end, _largest_unit(tail), bool(g["more_a"]))
        scale_word = g["enscale"] or g["letter"]
        scale = (en.SCALE_LETTERS[scale_word] if g["letter"] else _SCALES[scale_word.lower()]) if scale_word else 1.0
        value = float(raw) * scale
        plain = scale_word is None and raw.isdigit() and g["arabic"].isdigit()
        return Number(value, value, start, end, scale, False, plain)
    if g["cn"]:
        parsed = parse_chinese(g["cn"])
        if parsed is None:
            return None
        low, high, vague = parsed
        if g["cnscale"]:
            scale = _SCALES[g["cnscale"]]
            low, high = low * scale, high * scale
        else:
            scale = _largest_unit(g["cn"])
        plain = all(ch in zh.DIGITS for ch in g["cn"]) and len(g["cn"]) == 4
        return Number(low, high, start, end, scale, bool(g["more_c"]), plain, vague, about=bool(g["about_c"]))
    value = parse_english(g["en"])
    if value is None:
        return None
    big = [v for w, v in en.MULTIPLIERS.items() if re.search(rf"\b{w}\b", g["en"], re.I)]
    return Number(value, value, start, end, max(big, default=1.0), word=True)


def find_numbers(text: str) -> list[Number]:
    atoms = [a for a in map(_atom, NUMBER_RE.finditer(text)) if a is not None]
    merged: list[Number] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        if i + 1 < len(atoms) and not a.is_range and not a.vague:
            b = atoms[i + 1]
            gap = text[a.end:b.start]
            sep_ok = _RANGE_SEP.fullmatch(gap) or (
                _BETWEEN_AND.fullmatch(gap) and _BETWEEN_BEFORE.search(text, 0, a.start))
            if sep_ok and not b.is_range and not b.vague and not a.more:
                low = a.low
                if a.scale == 1.0 and b.scale > 1.0:
                    low *= b.scale  # "12-15 billion": the scale word binds both ends
                if low <= b.high:
                    merged.append(replace(b, low=low, start=a.start, plain_int=a.plain_int and b.plain_int,
                                          word=a.word and b.word))
                    i += 2
                    continue
        merged.append(a)
        i += 1
    return merged
