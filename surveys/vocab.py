"""The contract's vocabularies, defined once.

Plain Python (no Django imports) so the pure engine, the models, the API and the
exports all share the same names.
"""
from enum import StrEnum

from surveys.engine.metrics import METRICS

# The metrics and their canonical units come from the engine's one table (surveys/engine/metrics.py).
Metric = StrEnum("Metric", [(row.key.upper(), row.key) for row in METRICS], module=__name__)
Metric.__doc__ = "The contract's metrics, in the order of surveys/engine/metrics.py."

CANONICAL_UNIT: dict[Metric, str] = {Metric(row.key): row.unit for row in METRICS}


class Qualifier(StrEnum):
    EXACT = "exact"
    APPROX = "approx"
    RANGE = "range"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    VAGUE = "vague"


class Status(StrEnum):
    PLANNED = "planned"
    NOT_STARTED = "not_started"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATING = "operating"
    IDLE = "idle"
    CLOSED = "closed"


# Progress order used by status matching; idle/closed sit outside it.
STATUS_PROGRESS: dict[Status, int] = {
    Status.PLANNED: 0,
    Status.NOT_STARTED: 1,
    Status.UNDER_CONSTRUCTION: 2,
    Status.OPERATING: 3,
}


class Method(StrEnum):
    COUNTED = "counted"
    ESTIMATED = "estimated"
    INTERVIEW = "interview"
    SIGNAGE = "signage"
    DOCUMENT = "document"
    PHOTO = "photo"
    # Added to the contract's six: the reporter's own mark of the site (a visit's `observed_status`),
    # which none of them describes; matching trusts it above anything read from the notes.
    REPORTER = "reporter"


class ActivitySign(StrEnum):
    """What a reporter can see or hear at a site; a visit's `activity_signs` lists them."""

    GATE_OPEN = "gate_open"
    GATE_CLOSED = "gate_closed"
    CARS_PARKED = "cars_parked"
    TRUCKS = "trucks"
    WORKERS_SEEN = "workers_seen"
    MACHINE_NOISE = "machine_noise"
    LIGHTS_ON = "lights_on"
    SMOKE_OR_STEAM = "smoke_or_steam"
    CONSTRUCTION_WORK = "construction_work"
    SIGNBOARD = "signboard"
    WEEDS = "weeds"
    EMPTY_GUARD_ROOM = "empty_guard_room"
    EMPTY_PLOTS = "empty_plots"


class SiteKind(StrEnum):
    FACTORY = "factory"
    PARK = "park"
    PROJECT = "project"
    OTHER = "other"


class SourceKind(StrEnum):
    GOVERNMENT = "government"
    COMPANY = "company"
    MEDIA = "media"
    OTHER = "other"


class DiscrepancyKind(StrEnum):
    NUMERIC = "numeric"
    STATUS = "status"
    TIMELINE = "timeline"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


SEVERITY_RANK: dict[Severity, int] = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}


class ReviewStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    NEEDS_FOLLOWUP = "needs_followup"
    RESOLVED = "resolved"


# An editor's decision: the system never changes these statuses nor the evidence they were decided on.
DECIDED_STATUSES = frozenset({ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED, ReviewStatus.NEEDS_FOLLOWUP})


class Processing(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class PhotoStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class PhotoFlag(StrEnum):
    FAR_FROM_SITE = "far_from_site"
    REUSED = "reused"
    TIME_MISMATCH = "time_mismatch"
    NO_LOCATION = "no_location"
    EDITED = "edited"


class Role(StrEnum):
    REPORTER = "reporter"
    EDITOR = "editor"
    EXPORTER = "exporter"
    ADMIN = "admin"


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """Django field choices from a vocabulary enum."""
    return [(member.value, member.value.replace("_", " ")) for member in enum]


# Named choice sets, so the OpenAPI schema shows one enum per vocabulary.
STATUS_CHOICES = choices(Status)
QUALIFIER_CHOICES = choices(Qualifier)
REVIEW_STATUS_CHOICES = choices(ReviewStatus)
DISCREPANCY_KIND_CHOICES = choices(DiscrepancyKind)
