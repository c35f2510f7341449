"""Words around a fact that say how it is known: targets, speakers, counting, signboards."""
from __future__ import annotations

import re

from surveys.engine.words import en, joined, zh
from surveys.vocab import Method

# A figure worded as a plan or a promise rather than a present fact.
TARGET_RE = re.compile(joined("TARGET"), re.IGNORECASE)

# Speaker roles, normalised to one English label.
ROLES: dict[str, str] = {**en.ROLES, **zh.ROLES}
_EN_ROLES = "|".join(sorted(en.ROLES, key=len, reverse=True))
_ZH_ROLES = "|".join(sorted(zh.ROLES, key=len, reverse=True))

SPEAKER_RE = re.compile(
    # "a worker at the canteen said", "the park's guard says", "according to a guard"
    rf"\b(?P<role>{_EN_ROLES})s?\b[^.;!?。；]{{0,40}}?\b{en.SAY}\b"
    rf"|\baccording\s+to\s+(?:an?\s+|the\s+|one\s+)?(?:[\w'-]+\s+){{0,2}}?(?P<role2>{_EN_ROLES})s?\b"
    rf"|\b{en.SAY}\s+(?:an?\s+|the\s+|one\s+)(?:[\w'-]+\s+){{0,2}}?(?P<role3>{_EN_ROLES})s?\b"
    rf"|(?:据|听)(?P<zrole>{_ZH_ROLES})|(?P<zrole2>{_ZH_ROLES})[^。；！？]{{0,6}}?{zh.SAY}",
    re.IGNORECASE,
)
COUNTED_RE = re.compile(joined("COUNTED"), re.IGNORECASE)
SIGNAGE_RE = re.compile(joined("SIGNAGE"), re.IGNORECASE)
DOCUMENT_RE = re.compile(joined("DOCUMENT"), re.IGNORECASE)
# Confidence by how a figure is known: counting beats a signboard beats the reporter's
# estimate beats hearsay; a vague figure is the weakest whatever its source.
METHOD_CONFIDENCE: dict[Method | None, float] = {
    Method.COUNTED: 0.9,
    Method.SIGNAGE: 0.8,
    Method.DOCUMENT: 0.75,
    Method.ESTIMATED: 0.6,
    Method.INTERVIEW: 0.5,
    None: 0.5,
}
VAGUE_CONFIDENCE = 0.3


def speaker_role(m: re.Match) -> str:
    raw = m.group("role") or m.group("role2") or m.group("role3") or m.group("zrole") or m.group("zrole2")
    return ROLES[raw.lower()]
