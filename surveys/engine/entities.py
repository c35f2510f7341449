"""Whether two names (any script) denote the same organisation or site."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

from surveys.engine.numbers import find_numbers

# Legal-form words that differ between listings of the same entity.
_LEGAL_SUFFIXES_EN = re.compile(
    r"\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc|gmbh|group|holdings?)\b\.?",
    re.IGNORECASE,
)
_LEGAL_SUFFIXES_ZH = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|股份|公司)$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_NOT_WORD = re.compile(r"[\W_]+")


def _clean(name: str) -> str:
    """Casefolded, legal forms dropped, punctuation turned into single spaces."""
    s = unicodedata.normalize("NFKC", name).casefold()
    s = _NOT_WORD.sub(" ", s).strip()
    previous = None
    while previous != s:  # "恒达集团有限公司": drop suffixes repeatedly
        previous = s
        s = _LEGAL_SUFFIXES_ZH.sub("", s).strip()
    return " ".join(_LEGAL_SUFFIXES_EN.sub(" ", s).split())


def _forms(name: str) -> set[str]:
    """Space-separated forms of a name: as written, and as toneless pinyin when it has Chinese."""
    cleaned = _clean(name)
    forms = {cleaned} if cleaned else set()
    if _CJK.search(cleaned):
        forms.add(" ".join(p for p in lazy_pinyin(cleaned) if p.strip()).strip())
    return {f for f in forms if f}


def pinyin_spellings(names: Iterable[str]) -> list[str]:
    """Toneless pinyin of each name holding Chinese ("恒达光伏" -> "heng da guang fu"), for searching."""
    return [" ".join(part for part in lazy_pinyin(name) if part.strip()) for name in names if _CJK.search(name)]


def name_keys(name: str) -> set[str]:
    """Normalised keys; two names share a key when they are spellings of one name."""
    return {f.replace(" ", "") for f in _forms(name)}


def same_entity(names_a: Iterable[str], names_b: Iterable[str]) -> bool:
    keys_a = set().union(*(name_keys(n) for n in names_a))
    return any(name_keys(n) & keys_a for n in names_b)


def _numbers(name: str) -> tuple[float, ...]:
    return tuple(sorted(n.low for n in find_numbers(name)))


def _numbered_apart(name_a: str, name_b: str) -> bool:
    """"Phase 1" and "Phase 2" (一期, 二期) are neighbours, not spellings of one name."""
    a, b = _numbers(name_a), _numbers(name_b)
    return bool(a and b) and a != b


@dataclass(frozen=True)
class LinkProposal:
    source_id: Any
    target_id: Any
    score: float  # 0-100
    source_name: str
    target_name: str


def link_proposals(
    sources: list[tuple[Any, list[str]]],
    targets: list[tuple[Any, list[str]]],
    *,
    threshold: float = 85.0,
) -> list[LinkProposal]:
    """Likely-same pairs for an editor to confirm, best first; pairs already the same entity
    (a shared key) are left out, as are pairs scoring below `threshold`."""
    target_forms = [(tid, names, [(n, f) for n in names for f in _forms(n)]) for tid, names in targets]
    proposals = []
    for sid, snames in sources:
        sforms = [(n, f) for n in snames for f in _forms(n)]
        for tid, tnames, tforms in target_forms:
            if sid == tid or same_entity(snames, tnames):
                continue
            best = max(
                ((fuzz.token_sort_ratio(sf, tf), sn, tn) for sn, sf in sforms for tn, tf in tforms
                 if not _numbered_apart(sn, tn)),
                default=None,
            )
            if best and best[0] >= threshold:
                proposals.append(LinkProposal(sid, tid, round(best[0], 1), best[1], best[2]))
    return sorted(proposals, key=lambda p: -p.score)
