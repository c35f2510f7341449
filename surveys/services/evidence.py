"""Nobody goes around the audit: evidence a decision rests on (docs/evidence.md).

A decided discrepancy (confirmed, dismissed, needs follow-up) rests on the observations it was decided
on (contradicting and consistent), their visits, and the photos those visits had when it was decided.
A reporter may not change or delete them (409, `EvidenceInUse`); an editor may, and the change is
audited with the content it replaced, so that what a decision was made on can always be read back.
"""
from django.db.models import Q

from surveys.errors import EvidenceInUse
from surveys.models import Discrepancy, Observation, Photo, Visit
from surveys.roles import is_editor
from surveys.services.audit import audit_record
from surveys.vocab import DECIDED_STATUSES


def _decided() -> "Discrepancy.objects":
    return Discrepancy.objects.filter(status__in=list(DECIDED_STATUSES))


def decided_resting_on(*, visit: Visit | None = None, observation: Observation | None = None,
                       photo: Photo | None = None) -> list[int]:
    """Ids of the decided discrepancies resting on this visit, observation or photo (one query)."""
    if observation is not None:
        on = Q(observations=observation) | Q(supporting=observation)
    elif visit is not None:
        on = Q(observations__visit=visit) | Q(supporting__visit=visit)
    elif photo is not None:
        # The photo was there when the decision was made (photos[] of a decided discrepancy).
        on = ((Q(observations__visit_id=photo.visit_id) | Q(supporting__visit_id=photo.visit_id))
              & Q(reviewed_at__gte=photo.created_at))
    else:
        raise TypeError("name the visit, observation or photo")
    return sorted(set(_decided().filter(on).values_list("pk", flat=True)))


def evidence_change_check(*, actor, visit=None, observation=None, photo=None) -> list[int]:
    """Refuse a reporter's change to evidence a decision rests on; return the discrepancies it rests on
    (an editor's change goes ahead, and is audited by the caller with them)."""
    resting = decided_resting_on(visit=visit, observation=observation, photo=photo)
    if resting and (actor is None or not is_editor(actor)):
        raise EvidenceInUse(discrepancies=resting)
    return resting


def json_value(value):
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else str(value)


OBSERVATION_CONTENT = ["visit_id", "metric", "low", "high", "unit", "qualifier", "status_value", "method",
                       "source_role", "quote", "confidence", "extracted", "rejected"]
VISIT_CONTENT = ["site_id", "reporter_id", "started_at", "ended_at", "latitude", "longitude", "notes",
                 "observed_status", "activity_level", "activity_signs", "followup_of_id"]


def observation_content(observation: Observation) -> dict:
    return {name: json_value(getattr(observation, name)) for name in OBSERVATION_CONTENT}


def visit_content(visit: Visit) -> dict:
    """A visit as it was, with its observations and photos: what an audited deletion keeps."""
    return {
        **{name: json_value(getattr(visit, name)) for name in VISIT_CONTENT},
        "observations": {str(o.pk): observation_content(o) for o in visit.observations.all()},
        "photos": {str(p.pk): {"sha256": p.sha256, "created_at": p.created_at.isoformat()}
                   for p in visit.photos.all()},
    }


def evidence_audit(*, actor, action: str, obj, before: dict, after: dict | None = None,
                   resting: list[int]) -> None:
    """An audited change to evidence: the content before (and after), and the decisions resting on it."""
    changes = {"before": before, "rests_on": resting}
    if after is not None:
        changes["after"] = after
    audit_record(actor=actor, action=action, obj=obj, changes=changes)

