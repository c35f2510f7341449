"""Words around a fact that say how it is known: targets, speakers, counting, signboards."""
from __future__ import annotations

import re

from surveys.vocab import Method

# A figure worded as a plan or a promise rather than a present fact.
TARGET_RE = re.compile(
    r"\b(?:will|would|shall|expected|expects|expect|expecting|planned|plans?\s+to|planning|aims?\s+to|"
    r"target(?:s|ed)?|projected|forecast|designed|to\s+be|is\s+set\s+to|once|upon\s+completion|"
    r"when\s+(?:fully\s+)?(?:completed|finished|operational)|after\s+(?:reaching|achieving|it\s+reaches)|"
    r"full\s+(?:production|capacity|operation)|eventually)\b"
    r"|预计|达产|计划|规划|将(?!近)|拟|建成后|投产后|目标|设计产能|设计|力争|有望|预期|争取",
    re.IGNORECASE,
)

# Speaker roles, normalised to one English label.
ROLES: dict[str, str] = {
    "security guard": "security guard", "guard": "security guard", "doorman": "security guard",
    "gatekeeper": "security guard", "watchman": "security guard", "门卫": "security guard",
    "保安": "security guard", "门岗": "security guard",
    "worker": "worker", "工人": "worker", "职工": "worker",
    "employee": "employee", "staff member": "employee", "员工": "employee", "工作人员": "employee",
    "manager": "manager", "经理": "manager", "负责人": "manager", "厂长": "manager",
    "villager": "villager", "村民": "villager", "resident": "resident", "居民": "resident",
    "driver": "driver", "司机": "driver", "shop owner": "shop owner", "shopkeeper": "shop owner",
    "店主": "shop owner", "老板": "shop owner", "vendor": "vendor", "摊主": "vendor",
    "cleaner": "cleaner", "保洁": "cleaner", "receptionist": "receptionist", "前台": "receptionist",
    "official": "official", "官员": "official", "干部": "official",
}
_EN_ROLES = sorted((r for r in ROLES if r.isascii()), key=len, reverse=True)
_ZH_ROLES = sorted((r for r in ROLES if not r.isascii()), key=len, reverse=True)
_EN_ROLE = r"(?P<role>" + "|".join(_EN_ROLES) + r")s?"
_EN_SAY = r"(?:said|says|say|told|tells|tell|claimed|claims|estimated|estimates|reckoned|reckons|put\s+it\s+at|explained|mentioned)"
_ZH_ROLE = r"(?P<zrole>" + "|".join(_ZH_ROLES) + r")"

SPEAKER_RE = re.compile(
    # "a worker at the canteen said", "the park's guard says", "according to a guard"
    rf"\b{_EN_ROLE}\b[^.;!?。；]{{0,40}}?\b{_EN_SAY}\b"
    rf"|\baccording\s+to\s+(?:an?\s+|the\s+|one\s+)?(?:[\w'-]+\s+){{0,2}}?(?P<role2>{'|'.join(_EN_ROLES)})s?\b"
    rf"|\b{_EN_SAY}\s+(?:an?\s+|the\s+|one\s+)(?:[\w'-]+\s+){{0,2}}?(?P<role3>{'|'.join(_EN_ROLES)})s?\b"
    rf"|(?:据|听){_ZH_ROLE}|{_ZH_ROLE.replace('zrole', 'zrole2')}[^。；！？]{{0,6}}?(?:说|称|表示|告诉|介绍|透露|讲|估计|反映)",
    re.IGNORECASE,
)
COUNTED_RE = re.compile(
    r"\b(?:counted|count(?:ing)?\s+(?:of|shows?|gave)|tallied|headcount\s+by\s+(?:me|us|the\s+reporter))\b"
    r"|数了|清点|点了一下|数得|逐一数|一数",
    re.IGNORECASE,
)
# A signboard is a source only when it is read ("the signboard says"); one merely seen is scenery.
_SIGN = r"(?:sign\s*boards?|signs?|billboards?|notice\s*boards?|placards?|posters?)"
SIGNAGE_RE = re.compile(
    rf"\b{_SIGN}\s+(?:at\s+the\s+\w+\s+)?(?:says?|reads?|shows?|states?|lists?|claims?|gives?)\b"
    rf"|\baccording\s+to\s+(?:the\s+|a\s+)?{_SIGN}|\b(?:on|from)\s+the\s+{_SIGN}"
    r"|(?:公示牌|标牌|招牌|宣传牌|牌子|展板|告示|公告牌|宣传栏)上?(?:显示|写着|写|标明|标注|公示|介绍)",
    re.IGNORECASE,
)
DOCUMENT_RE = re.compile(r"\b(?:document|brochure|leaflet|report|filing)\b|文件|资料|宣传册|年报", re.IGNORECASE)
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
