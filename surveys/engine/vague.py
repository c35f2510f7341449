"""Vague counts ("a few dozen", "几十") read as ranges, from ONE table.

Edit `VAGUE_COUNTS` to change how a vague phrase is read; everything (extraction, the
explanations' wording) uses it. Ranges are inclusive. A following scale word multiplies
both ends ("几十万" = 240,000-990,000, "hundreds of thousands" = 200,000-999,000).
"""
from __future__ import annotations

import re

VAGUE_COUNTS: dict[str, tuple[float, float]] = {
    # English
    "a handful of": (2, 9),
    "a few": (2, 9),
    "several": (3, 9),
    "a few dozen": (24, 99),
    "several dozen": (24, 99),
    "dozens of": (24, 99),
    "dozens": (24, 99),
    "scores of": (24, 99),
    "a few hundred": (200, 999),
    "several hundred": (200, 999),
    "hundreds of": (200, 999),
    "hundreds": (200, 999),
    "a few thousand": (2000, 9999),
    "several thousand": (2000, 9999),
    "thousands of": (2000, 9999),
    "thousands": (2000, 9999),
    "tens of thousands of": (20000, 99999),
    "tens of thousands": (20000, 99999),
    # Chinese
    "几": (2, 9),
    "好几": (3, 9),
    "十几": (11, 19),
    "几十": (24, 99),
    "数十": (24, 99),
    "好几十": (24, 99),
    "上百": (100, 199),
    "几百": (200, 999),
    "数百": (200, 999),
    "好几百": (200, 999),
    "上千": (1000, 1999),
    "几千": (2000, 9999),
    "数千": (2000, 9999),
    "上万": (10000, 19999),
    "几万": (20000, 99999),
    "数万": (20000, 99999),
}

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "万": 1e4, "亿": 1e8}

# Longest phrase first so "a few dozen" wins over "a few". English words need word
# boundaries; Chinese must not be followed by a digit ("几十" is not inside "十二").
_PHRASES = sorted(VAGUE_COUNTS, key=len, reverse=True)
VAGUE_RE = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万亿\d])(?P<phrase>"
    + "|".join(rf"\b{re.escape(p)}\b" if p.isascii() else re.escape(p) for p in _PHRASES)
    + r")(?![零一二两三四五六七八九十百千\d])(?:\s*(?P<scale>thousand|million|billion)\b|(?P<cnscale>万|亿))?",
    re.IGNORECASE,
)


def vague_range(phrase: str, scale_word: str | None) -> tuple[float, float]:
    low, high = VAGUE_COUNTS[phrase.lower()]
    mult = _SCALE[scale_word.lower()] if scale_word else 1
    return low * mult, high * mult


def vague_label(low: float | None, high: float | None, *, chinese: bool = False) -> str | None:
    """The table's first phrase for a range, for explanations ("a few dozen")."""
    for phrase, rng in VAGUE_COUNTS.items():
        if rng == (low, high) and phrase.isascii() != chinese:
            return phrase.removesuffix(" of")
    return None
