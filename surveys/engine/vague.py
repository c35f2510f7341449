"""Vague counts ("a few dozen", "几十") read as ranges, from the languages' VAGUE_COUNTS tables.

Edit `VAGUE_COUNTS` in words/<language>.py to change how a vague phrase is read; everything
(extraction, the explanations' wording) uses it. Ranges are inclusive. A following scale word
multiplies both ends ("几十万" = 240,000-990,000, "hundreds of thousands" = 200,000-999,000).
"""
from __future__ import annotations

import re

from surveys.engine.words import en, merged, zh

VAGUE_COUNTS: dict[str, tuple[float, float]] = merged("VAGUE_COUNTS")
_SCALE = {k.lower(): v for k, v in merged("VAGUE_SCALES").items()}

# Longest phrase first so "a few dozen" wins over "a few". English words need word
# boundaries; Chinese must not touch another numeral ("几十" is not inside "十二" or "三十几").
_PHRASES = sorted(VAGUE_COUNTS, key=len, reverse=True)
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
VAGUE_RE = re.compile(
    rf"(?<![{_CN_NUMERAL}\d])(?P<phrase>"
    + "|".join(rf"\b{re.escape(p)}\b" if p.isascii() else re.escape(p) for p in _PHRASES)
    + rf")(?![零一二两三四五六七八九十百千\d{zh.VAGUE_ENDING}])"
    + rf"(?:\s*(?P<scale>{'|'.join(en.VAGUE_SCALES)})\b|(?P<cnscale>{'|'.join(zh.VAGUE_SCALES)}))?",
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
