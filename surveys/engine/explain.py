"""Plain-language explanations of a finding, in English and (for Chinese sources) Chinese."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from surveys.engine.metrics import unit_label
from surveys.engine.vague import vague_label
from surveys.vocab import DiscrepancyKind, Method, Qualifier, Status

if TYPE_CHECKING:
    from surveys.engine.matching import ClaimInput, ObservationInput

_CJK = re.compile(r"[\u3400-\u9fff]")

STATUS_EN = {Status.PLANNED: "planned", Status.NOT_STARTED: "not started",
             Status.UNDER_CONSTRUCTION: "under construction", Status.OPERATING: "in operation",
             Status.IDLE: "idle", Status.CLOSED: "closed"}
STATUS_ZH = {Status.PLANNED: "处于规划阶段", Status.NOT_STARTED: "未开工", Status.UNDER_CONSTRUCTION: "在建",
             Status.OPERATING: "投产运营", Status.IDLE: "停产闲置", Status.CLOSED: "已关停"}
ROLE_ZH = {"security guard": "门卫", "worker": "工人", "employee": "员工", "manager": "负责人",
           "villager": "村民", "resident": "居民", "driver": "司机", "shop owner": "店主",
           "vendor": "摊主", "cleaner": "保洁员", "receptionist": "前台", "official": "官员"}


def _num_en(x: float) -> str:
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(x) >= size:
            return f"{x / size:.3g} {word}"
    return f"{x:,.0f}" if x == int(x) else f"{x:.3g}"


def _num_zh(x: float) -> str:
    for size, word in ((1e8, "亿"), (1e4, "万")):
        if abs(x) >= size:
            return f"{x / size:.4g}{word}"
    return f"{x:.0f}" if x == int(x) else f"{x:.3g}"


def _quantity(low, high, unit: str, qualifier: str, *, zh: bool) -> str:
    num = _num_zh if zh else _num_en
    unit_word = unit_label(unit, "zh" if zh else "en")
    sep = "" if zh else " "
    if low is not None and high is not None and low != high:
        value = f"{num(low)}–{num(high)}"
        if qualifier == Qualifier.VAGUE:
            label = vague_label(low, high, chinese=zh)
            value = f"{label}（{value}）" if zh else f"{label} ({value})" if label else value
    elif low is None and high is None:
        return "未知数量" if zh else "an unknown number"
    elif high is None:
        value = f"超过{num(low)}" if zh else f"more than {num(low)}"
    elif low is None:
        value = f"不超过{num(high)}" if zh else f"up to {num(high)}"
    elif qualifier == Qualifier.APPROX:
        value = f"约{num(low)}" if zh else f"about {num(low)}"
    else:
        value = num(low)
    return f"{value}{sep}{unit_word}"


def _source_en(obs: ObservationInput, status: bool) -> str:
    role = obs.source_role
    method = obs.method
    if method == Method.INTERVIEW or role:
        who = role or "an interviewee"
        article = "" if not role else ("an " if role[0] in "aeiou" else "a ")
        return f"{article}{who} said" + (" it was" if status else "")
    return {
        Method.COUNTED: "the reporter counted",
        Method.ESTIMATED: "the reporter found it" if status else "the reporter estimated",
        Method.SIGNAGE: "a signboard showed" + (" it" if status else ""),
        Method.DOCUMENT: "a document showed" + (" it" if status else ""),
        Method.PHOTO: "photos showed" + (" it" if status else ""),
    }.get(method, "the reporter found it" if status else "the reporter recorded")


def _source_zh(obs: ObservationInput) -> str:
    if obs.method == Method.INTERVIEW or obs.source_role:
        return ROLE_ZH.get(obs.source_role, obs.source_role or "受访者") + "称"
    return {Method.COUNTED: "记者清点到", Method.ESTIMATED: "记者估计", Method.SIGNAGE: "公示牌显示",
            Method.DOCUMENT: "文件显示", Method.PHOTO: "照片显示"}.get(obs.method, "记者记录到")


def explain(claim: ClaimInput, obs: ObservationInput, *, kind: DiscrepancyKind, ratio: float | None,
            target: bool, quotes: list[str]) -> tuple[str, str]:
    published = claim.published_on.isoformat() if claim.published_on else "date unknown"
    visit = obs.visited_at.date().isoformat()
    source = claim.source_name or "An official source"
    site_en = f" for {claim.site_name}" if claim.site_name else ""
    due = claim.due_date.isoformat() if claim.due_date else None

    if kind == DiscrepancyKind.NUMERIC:
        claimed = _quantity(claim.low, claim.high, claim.unit, claim.qualifier, zh=False)
        observed = _quantity(obs.low, obs.high, obs.unit, obs.qualifier, zh=False)
        times = f", {ratio:.2f}× the claim" if ratio is not None else ""
        en = f"{source} (published {published}) claims {claimed}{site_en}; on {visit} {_source_en(obs, False)} {observed}{times}."
    else:
        claimed_status = STATUS_EN[Status(claim.status_value)]
        by = f" by {due}" if due else ""
        en = (f"{source} (published {published}) says{site_en.replace(' for', '')} the project would be "
              f"{claimed_status}{by}; on {visit} {_source_en(obs, True)} {STATUS_EN[Status(obs.status_value)]}.")
        if kind == DiscrepancyKind.TIMELINE:
            en += " The due date had passed."
    if target:
        future = claim.due_date is not None and claim.due_date >= obs.visited_at.date()
        reason = f"due {due}, after the visit" if future else "worded as a future figure"
        en += f" The claim is a target ({reason}), so the severity is lowered one step."

    if not any(_CJK.search(s or "") for s in [claim.text, obs.quote, *quotes]):
        return en, ""
    published_zh = f"（{published}发布）" if claim.published_on else ""
    site_zh = claim.site_name or "该项目"
    if kind == DiscrepancyKind.NUMERIC:
        claimed = _quantity(claim.low, claim.high, claim.unit, claim.qualifier, zh=True)
        observed = _quantity(obs.low, obs.high, obs.unit, obs.qualifier, zh=True)
        times = f"，为声称值的{ratio:.2f}倍" if ratio is not None else ""
        zh = f"{source}{published_zh}称{site_zh}有{claimed}；{visit}，{_source_zh(obs)}{observed}{times}。"
    else:
        by = f"于{due}前" if due else ""
        zh = (f"{source}{published_zh}称{site_zh}将{by}{STATUS_ZH[Status(claim.status_value)]}；"
              f"{visit}，{_source_zh(obs)}{STATUS_ZH[Status(obs.status_value)]}。")
        if kind == DiscrepancyKind.TIMELINE:
            zh += "已超过承诺期限。"
    if target:
        zh += "该说法为目标值，严重程度下调一级。"
    return en, zh
