"""Set a claim against the observations of its site and metric; report a contradiction."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from surveys.engine import cues
from surveys.engine.explain import explain
from surveys.engine.facts import best_value
from surveys.engine.statuses import find_statuses
from surveys.vocab import (
    SEVERITY_RANK, STATUS_PROGRESS, DiscrepancyKind, Metric, Qualifier, Severity, Status,
)


@dataclass(frozen=True)
class ClaimInput:
    id: Any
    metric: Metric
    low: float | None
    high: float | None
    unit: str
    qualifier: Qualifier
    status_value: Status | None
    due_date: date | None
    text: str
    source_name: str
    published_on: date | None
    is_target: bool = False
    site_name: str = ""


@dataclass(frozen=True)
class ObservationInput:
    id: Any
    visit_id: Any
    visited_at: datetime  # aware
    metric: Metric
    low: float | None
    high: float | None
    unit: str
    qualifier: Qualifier
    status_value: Status | None
    confidence: float
    rejected: bool = False
    quote: str = ""
    method: str = ""
    source_role: str = ""


@dataclass(frozen=True)
class MatchSettings:
    ratio_band: tuple[float, float] = (0.67, 1.5)  # gaps inside the band are noise, not news
    high_below: float = 0.5
    high_above: float = 2.0


@dataclass(frozen=True)
class Finding:
    kind: DiscrepancyKind
    claimed: dict
    observed: dict
    ratio: float | None
    severity: Severity
    explanation: str
    explanation_zh: str
    observation_ids: list = field(default_factory=list)
    observed_visit_id: Any = None
    observed_observation_id: Any = None
    supporting_ids: list = field(default_factory=list)  # consistent with the claim
    source_conflict: list = field(default_factory=list)  # the observed visit's sources, when they disagree


_SEVERITY_BY_RANK = {rank: sev for sev, rank in SEVERITY_RANK.items()}
_STOPPED = {Status.IDLE, Status.CLOSED}
_BUILDING_OR_RUNNING = {Status.UNDER_CONSTRUCTION, Status.OPERATING}


# The reporter's own mark outranks any fact read from notes (at most 0.9, see extract.py).
REPORTER_MARK_CONFIDENCE = 0.95


def reporter_status(observed_status: str | None, activity_level: int | None, activity_signs: list[str]) -> Status | None:
    """The site's status as the reporter marked it at a visit: `observed_status`, or, when none is
    marked, activity level 0 with a sign of a stopped site ("broken windows", "停产") says idle or closed."""
    if observed_status:
        return Status(observed_status)
    if activity_level == 0:
        for sign in activity_signs:
            stopped = [m.status for m in find_statuses(sign) if m.status in _STOPPED]
            if stopped:
                return stopped[0]
    return None


def is_target_claim(text: str, due_date: date | None, at: date) -> bool:
    """A claim about the future: worded as a plan, or due after `at`."""
    return bool(cues.TARGET_RE.search(text or "")) or (due_date is not None and due_date >= at)


def _interval(low: float | None, high: float | None) -> tuple[float, float]:
    return (-math.inf if low is None else low), (math.inf if high is None else high)


def _ratio(claim: ClaimInput, obs: ObservationInput) -> float | None:
    claimed, observed = best_value(claim.low, claim.high), best_value(obs.low, obs.high)
    if claimed in (None, 0) or observed is None:
        return None
    return observed / claimed


def _numeric_contradicts(claim: ClaimInput, obs: ObservationInput, settings: MatchSettings) -> bool:
    c_low, c_high = _interval(claim.low, claim.high)
    o_low, o_high = _interval(obs.low, obs.high)
    if c_low <= o_high and o_low <= c_high:
        return False
    ratio = _ratio(claim, obs)
    lo, hi = settings.ratio_band
    return ratio is None or not lo <= ratio <= hi


def _status_contradicts(claim: ClaimInput, obs: ObservationInput) -> bool:
    if not claim.status_value or not obs.status_value:
        return False
    claimed, observed = Status(claim.status_value), Status(obs.status_value)
    if claimed in STATUS_PROGRESS and observed in STATUS_PROGRESS:
        return STATUS_PROGRESS[observed] < STATUS_PROGRESS[claimed]
    return observed in _STOPPED and claimed in _BUILDING_OR_RUNNING


def _contradicts(claim: ClaimInput, obs: ObservationInput, settings: MatchSettings) -> bool:
    if obs.rejected or obs.unit != claim.unit or obs.metric != claim.metric:
        return False
    if claim.metric == Metric.STATUS:
        return _status_contradicts(claim, obs)
    return _numeric_contradicts(claim, obs, settings)


def _lower(severity: Severity) -> Severity:
    return _SEVERITY_BY_RANK[max(0, SEVERITY_RANK[severity] - 1)]


def _live(claim: ClaimInput, observations: list[ObservationInput]) -> list[ObservationInput]:
    # Like with like: a claim in US dollars is set only against observations in US dollars.
    return [o for o in observations if not o.rejected and o.unit == claim.unit and o.metric == claim.metric]


def supporting_observations(claim: ClaimInput, observations: list[ObservationInput], *,
                            settings: MatchSettings = MatchSettings()) -> list[ObservationInput]:
    """The observations consistent with the claim (the other side of the evidence), oldest visit first."""
    return sorted((o for o in _live(claim, observations) if not _contradicts(claim, o, settings)),
                  key=lambda o: (o.visited_at, str(o.id)))


def source_conflict(observed: ObservationInput, observations: list[ObservationInput]) -> list[dict]:
    """The observed visit's observations of this metric when its sources disagree (a guard says dozens, a
    signboard lists 58), each with its value and source; empty when they agree or there is one source."""
    same_visit = sorted((o for o in observations if o.visit_id == observed.visit_id), key=lambda o: -o.confidence)
    values = {(o.low, o.high, o.status_value) for o in same_visit}
    if len(values) < 2:
        return []
    return [{"observation": str(o.id), "low": o.low, "high": o.high, "unit": o.unit,
             "status_value": str(o.status_value) if o.status_value else None, "method": o.method,
             "source_role": o.source_role, "quote": o.quote, "confidence": o.confidence,
             "observed": o.id == observed.id} for o in same_visit]


def match_claim(
    claim: ClaimInput, observations: list[ObservationInput], *, settings: MatchSettings = MatchSettings()
) -> Finding | None:
    """The discrepancy between `claim` and the latest visit's most confident observation, or None
    when that observation does not contradict the claim (the caller then resolves any open one)."""
    live = _live(claim, observations)
    if not live:
        return None
    latest = max(o.visited_at for o in live)
    observed = max((o for o in live if o.visited_at == latest), key=lambda o: o.confidence)
    if not _contradicts(claim, observed, settings):
        return None
    visit_date = observed.visited_at.date()
    target = claim.is_target or is_target_claim(claim.text, claim.due_date, visit_date)
    if claim.metric == Metric.STATUS:
        ratio = None
        overdue = claim.due_date is not None and visit_date > claim.due_date
        kind = DiscrepancyKind.TIMELINE if overdue else DiscrepancyKind.STATUS
        severity = Severity.HIGH if overdue else Severity.MEDIUM
        lowered = target and not overdue
    else:
        ratio = _ratio(claim, observed)
        kind = DiscrepancyKind.NUMERIC
        extreme = ratio is None or ratio < settings.high_below or ratio > settings.high_above
        severity = Severity.HIGH if extreme else Severity.MEDIUM
        lowered = target
    if lowered:
        severity = _lower(severity)
    contradicting = sorted((o for o in live if _contradicts(claim, o, settings)), key=lambda o: o.visited_at)
    english, chinese = explain(claim, observed, kind=kind, ratio=ratio, target=lowered,
                               quotes=[o.quote for o in contradicting])
    return Finding(
        kind=kind,
        claimed={
            "low": claim.low, "high": claim.high, "unit": claim.unit,
            "status_value": str(claim.status_value) if claim.status_value else None,
            "due_date": claim.due_date.isoformat() if claim.due_date else None,
        },
        observed={
            "low": observed.low, "high": observed.high, "unit": observed.unit,
            "status_value": str(observed.status_value) if observed.status_value else None,
        },
        ratio=round(ratio, 4) if ratio is not None else None,
        severity=severity,
        explanation=english,
        explanation_zh=chinese,
        observation_ids=[o.id for o in contradicting],
        observed_visit_id=observed.visit_id,
        observed_observation_id=observed.id,
        supporting_ids=[o.id for o in supporting_observations(claim, live, settings=settings)],
        source_conflict=source_conflict(observed, live),
    )
