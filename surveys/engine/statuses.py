"""Project status phrases ("under construction", "杂草丛生", "not yet in production").

A negation in front of a phrase flips or suppresses it: "not yet in production" says only what
the project is not, so it yields no status; negated construction means not started. A status
used as a condition ("after it is put into production", "投产后") is not a status either, nor is
one that qualifies a noun ("operating income", "已投产企业28家") or another subject ("其中3家已投产").
"Only 3 of the 8 lines were running" is operating, partly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from surveys.engine.words import en, zh
from surveys.vocab import Status

PARTLY = "partly"


def _status_re(lang, bounded: bool) -> re.Pattern:
    groups = [(PARTLY, lang.PARTLY_OPERATING)] + list(lang.STATUS_PHRASES.items())
    alternatives = []
    for name, phrases in groups:
        body = "|".join(phrases)
        alternatives.append(f"(?P<{name}>" + (rf"\b(?:{body})\b" if bounded else body) + ")")
    return re.compile("|".join(alternatives), re.IGNORECASE)


# One pattern per script, each run only on text that has that script.
_EN_RE, _ZH_RE = _status_re(en, True), _status_re(zh, False)
_LATIN = re.compile(r"[A-Za-z]{2}")
_CJK = re.compile(r"[\u3400-\u9fff]")
_NEG = {id(_EN_RE): re.compile(en.STATUS_NEGATION, re.I), id(_ZH_RE): re.compile(zh.STATUS_NEGATION)}
_CONDITION_BEFORE = {id(_EN_RE): re.compile(en.STATUS_CONDITION_BEFORE, re.I), id(_ZH_RE): None}
_CONDITION_AFTER = {id(_EN_RE): None, id(_ZH_RE): re.compile(zh.STATUS_CONDITION_AFTER)}
_MODIFIER = {id(_EN_RE): re.compile(en.STATUS_AS_MODIFIER, re.I), id(_ZH_RE): re.compile(zh.STATUS_AS_MODIFIER)}
_SUBJECT = {id(_EN_RE): re.compile(en.STATUS_SUBJECT_BEFORE, re.I), id(_ZH_RE): re.compile(zh.STATUS_SUBJECT_BEFORE)}

# What a negated phrase says instead; None drops it.
_NEGATED: dict[Status, Status | None] = {Status.UNDER_CONSTRUCTION: Status.NOT_STARTED}


@dataclass(frozen=True)
class StatusMention:
    status: Status
    start: int
    end: int
    partly: bool = False


def _mentions(rx: re.Pattern, text: str) -> list[StatusMention]:
    key = id(rx)
    found = []
    for m in rx.finditer(text):
        partly = m.lastgroup == PARTLY
        status = Status.OPERATING if partly else Status(m.lastgroup)
        before = text[max(0, m.start() - 40):m.start()]
        condition_before, condition_after = _CONDITION_BEFORE[key], _CONDITION_AFTER[key]
        if ((condition_before and condition_before.search(before))
                or (condition_after and condition_after.match(text, m.end()))
                or _MODIFIER[key].match(text, m.end()) or _SUBJECT[key].search(before)):
            continue
        if not partly and _NEG[key].search(before):
            if status is Status.NOT_STARTED:
                continue
            status = _NEGATED.get(status)
            if status is None:
                continue
        found.append(StatusMention(status, m.start(), m.end(), partly))
    return found


def find_statuses(text: str) -> list[StatusMention]:
    found = []
    if _LATIN.search(text):
        found += _mentions(_EN_RE, text)
    if _CJK.search(text):
        found += _mentions(_ZH_RE, text)
    return sorted(found, key=lambda s: s.start)
