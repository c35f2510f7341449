"""Project status phrases ("under construction", "杂草丛生", "not yet in production").

A negation in front of a phrase flips or suppresses it: "not yet in production" says only what
the project is not, so it yields no status; negated construction means not started. A status
used as a condition ("after it is put into production", "投产后") is not a status either.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from surveys.vocab import Status

_PHRASES: dict[Status, list[str]] = {
    Status.NOT_STARTED: [
        r"(?:has|have|had)?\s*not\s+(?:yet\s+)?(?:been\s+)?(?:started|begun|broken\s+ground)",
        r"(?:hasn't|haven't|hadn't)\s+(?:yet\s+)?(?:been\s+)?(?:started|begun)",
        r"yet\s+to\s+(?:start|begin|break\s+ground)", r"never\s+started",
        r"no\s+(?:visible\s+)?signs?\s+of\s+(?:any\s+)?(?:construction|building|work|works)",
        r"no\s+(?:construction|building\s+work|works)", r"nothing\s+(?:has\s+been\s+)?built",
        r"construction\s+(?:has|had)?\s*(?:not|never)\s+(?:yet\s+)?(?:started|begun)",
        r"overgrown(?:\s+with\s+weeds)?", r"covered\s+(?:in|with)\s+weeds", r"weeds",
        r"(?:an?\s+)?(?:empty|vacant|bare|idle)\s+(?:plot|lot|land|field|site|ground)",
        r"未开工", r"尚未开工", r"没有开工", r"还没开工", r"未动工", r"尚未动工", r"没有动工", r"还没动工",
        r"未见施工", r"没有施工", r"未施工", r"无施工", r"不见施工", r"未见(?:任何)?(?:建设|动工)",
        r"杂草丛生", r"长满(?:了)?(?:杂草|荒草)", r"荒地", r"空地", r"一片空地", r"尚未建设", r"未建设",
    ],
    Status.UNDER_CONSTRUCTION: [
        r"under\s+construction", r"being\s+built", r"being\s+constructed",
        r"cranes?\s+(?:were\s+|are\s+|was\s+|is\s+)?(?:working|operating|at\s+work|moving)",
        r"construction\s+(?:is\s+|was\s+)?(?:under\s*way|ongoing|in\s+progress|continuing)",
        r"construction\s+(?:work|crews?|workers)", r"(?:broke|breaks|broken)\s+ground",
        r"(?:started|began|begun|commenced)\s+construction", r"construction\s+(?:started|began|has\s+begun)",
        r"在建", r"正在施工", r"施工中", r"正在建设", r"建设中", r"开工建设", r"已开工", r"已经开工",
        r"动工", r"塔吊(?:林立|作业|在转|运转)", r"正在建", r"开工",
    ],
    Status.OPERATING: [
        r"put\s+into\s+(?:production|operation|use|service)", r"in\s+(?:full\s+)?(?:production|operation)",
        r"operating", r"operational", r"up\s+and\s+running",
        r"(?:started|began|begun|commenced|starts|start|begin)\s+(?:mass\s+)?production",
        r"production\s+lines?\s+(?:were\s+|are\s+|was\s+|is\s+)?(?:running|working|operating)",
        r"machines?\s+(?:were\s+|are\s+)?(?:running|humming|working)",
        r"建成投产", r"正式投产", r"全面投产", r"投产", r"投入(?:生产|使用|运营)", r"运营", r"运行",
        r"生产中", r"正常生产", r"机器轰鸣", r"满负荷",
    ],
    Status.IDLE: [
        r"broken\s+windows?", r"lack(?:s|ing)?\s+(?:of\s+)?vitality", r"idle(?:d)?", r"halted",
        r"stalled", r"suspended", r"mothballed", r"abandoned", r"deserted", r"no\s+activity",
        r"(?:no\s+one|nobody)\s+(?:was\s+|is\s+)?working", r"stopped\s+(?:production|work)",
        r"production\s+(?:has\s+|had\s+)?(?:been\s+)?(?:halted|stopped|suspended)",
        r"停产", r"停工", r"闲置", r"荒废", r"烂尾", r"停滞", r"空置", r"冷清", r"无人上班", r"没人上班",
    ],
    Status.CLOSED: [
        r"closed\s+down", r"shut\s+down", r"shuttered", r"(?:went|gone)\s+bankrupt", r"bankrupt",
        r"out\s+of\s+business", r"permanently\s+closed",
        r"(?:plant|factory|company|firm|mill|workshop)s?\s+(?:has\s+|had\s+|have\s+)?(?:been\s+)?closed",
        r"倒闭", r"关停", r"破产", r"停业", r"关门歇业", r"已关闭",
    ],
    Status.PLANNED: [
        r"(?:is|was|are)\s+planned", r"in\s+(?:the\s+)?planning(?:\s+stage)?", r"proposed",
        r"规划中", r"规划建设", r"拟建", r"计划建设", r"筹建",
    ],
}

_ALT = []
_STATUS_OF_GROUP: dict[str, Status] = {}
for status, phrases in _PHRASES.items():
    for i, rx in enumerate(phrases):
        name = f"{status.value}_{i}"
        _STATUS_OF_GROUP[name] = status
        bounded = rf"\b{rx}\b" if rx[0].isascii() and rx[0] not in "(" else rx
        _ALT.append(f"(?P<{name}>{bounded if rx.isascii() else rx})")
STATUS_RE = re.compile("|".join(_ALT), re.IGNORECASE)

_NEG_EN = re.compile(
    r"(?:\bnot|\bno|\bnever|\bwithout|\byet\s+to|n't)(?:\s+(?:yet|been|be|being|fully|even|currently|"
    r"really|actually|formally|officially|put|a))*\s+$", re.IGNORECASE)
_NEG_ZH = re.compile(r"(?:未|没有?|尚未|还未|还没有?|并未|并没有?|不|无|未曾)(?:正式|完全|全面|开始|能|再|曾|见)?$")
_CONDITION_BEFORE = re.compile(r"\b(?:after|once|when|upon|until|before|if)\s+(?:\w+\s+){0,3}$", re.IGNORECASE)
_CONDITION_AFTER = re.compile(r"^(?:后|以后|之后|前|之前|达产)")

# What a negated phrase says instead; None drops it.
_NEGATED: dict[Status, Status | None] = {Status.UNDER_CONSTRUCTION: Status.NOT_STARTED}


@dataclass(frozen=True)
class StatusMention:
    status: Status
    start: int
    end: int


def find_statuses(text: str) -> list[StatusMention]:
    found = []
    for m in STATUS_RE.finditer(text):
        status = _STATUS_OF_GROUP[m.lastgroup]
        before = text[max(0, m.start() - 40):m.start()]
        if _CONDITION_BEFORE.search(before) or _CONDITION_AFTER.match(text[m.end():m.end() + 2]):
            continue
        negated = _NEG_ZH.search(before) if not m.group().isascii() else _NEG_EN.search(before)
        if negated and status is not Status.NOT_STARTED:
            status = _NEGATED.get(status)
            if status is None:
                continue
        elif negated:
            continue
        found.append(StatusMention(status, m.start(), m.end()))
    return found
