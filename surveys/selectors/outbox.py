"""What an outbox event says: the webhook payload (never beyond the exporter policy) and the
mail context (for the people the mail goes to).

Payloads are read fresh inside the event's transaction, in one query per batch whatever its
size, and kept on the event: a delivery sent later (a retry, a replay) tells the event as it was.

The exporter policy (`policy.py`, `scoping.py`) decides what a payload may hold, since an API
client receiving webhooks reads as an exporter: no positions, originals or EXIF evidence,
reporters by pseudonym, and a discrepancy's figures and explanation only once an editor has
confirmed it (before that, only what it is about and how severe it looks).
"""
import datetime as dt
import uuid

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import resolve_url
from django.urls import reverse

from surveys.models import Discrepancy, Observation, Photo, Visit
from surveys.selectors.policy import EXPORTER_HIDDEN_FIELDS, reporter_pseudonym
from surveys.vocab import ReviewStatus

# The fields of a discrepancy any exporter may learn of; the rest once it is confirmed.
DISCREPANCY_FIELDS = ("id", "claim_id", "site_id", "metric", "kind", "severity", "status", "created_at",
                      "updated_at")
DISCREPANCY_CONFIRMED_FIELDS = ("claimed", "observed", "ratio", "explanation", "explanation_zh", "observed_visit_id",
                                "reviewed_at")
VISIT_FIELDS = ("id", "site_id", "started_at", "ended_at", "observed_status", "activity_level", "activity_signs",
                "followup_of_id", "processing")
OBSERVATION_FIELDS = ("id", "metric", "low", "high", "unit", "qualifier", "status_value", "method", "source_role",
                      "confidence")
PHOTO_FIELDS = ("id", "visit_id", "status", "caption", "width", "height", "taken_at", "flags", "faces_blurred")

for _resource, _fields in (("visit", VISIT_FIELDS), ("photo", PHOTO_FIELDS)):
    assert not EXPORTER_HIDDEN_FIELDS[_resource] & set(_fields), f"{_resource} payload beyond the exporter policy"


def _json(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value) if isinstance(value, uuid.UUID) else value


def _fields(obj, names) -> dict:
    return {name.removesuffix("_id"): _json(getattr(obj, name)) for name in names}


def _desk_link(name: str, *args) -> str:
    return f"{settings.NOTIFICATIONS_BASE_URL}{reverse(name, args=args)}"


def discrepancy_payloads(pks) -> dict:
    """{pk: (payload, mail context)} of these discrepancies, read now."""
    rows = Discrepancy.objects.filter(pk__in=list(pks)).select_related("site", "claim", "observed_visit")
    found = {}
    for row in rows:
        payload = _fields(row, DISCREPANCY_FIELDS)
        payload["site_name"] = row.site.name
        if row.status == ReviewStatus.CONFIRMED:
            payload.update(_fields(row, DISCREPANCY_CONFIRMED_FIELDS))
        context = {
            "site": row.site.name, "metric": row.metric, "severity": row.severity, "status": row.status,
            "claim": row.claim.text[:300], "explanation": row.explanation, "explanation_zh": row.explanation_zh,
            "note": row.review_note, "link": _desk_link("desk-discrepancy", row.pk),
            "reporter_link": f"{settings.NOTIFICATIONS_BASE_URL}{resolve_url(settings.REPORTER_HOME)}",
            "reporter_id": row.observed_visit.reporter_id if row.observed_visit else None,
            "assignee_id": row.assignee_id,
        }
        found[row.pk] = (payload, context)
    return found


def visit_payloads(pks) -> dict:
    observations = Prefetch("observations", to_attr="kept_observations", queryset=Observation.objects.filter(
        rejected=False).order_by("created_at", "id").only("visit_id", *OBSERVATION_FIELDS))
    rows = Visit.objects.filter(pk__in=list(pks)).order_by().select_related("site").prefetch_related(observations)
    found = {}
    for row in rows:
        payload = _fields(row, VISIT_FIELDS)
        payload.update(site_name=row.site.name, reporter=reporter_pseudonym(row.reporter_id), observations=[
            _fields(obs, OBSERVATION_FIELDS) for obs in row.kept_observations])
        found[row.pk] = (payload, {"site": row.site.name, "started_at": row.started_at.isoformat(),
                                   "reporter_id": row.reporter_id, "link": _desk_link("desk-site", row.site_id)})
    return found


def photo_payloads(pks) -> dict:
    rows = Photo.objects.filter(pk__in=list(pks)).select_related("visit")
    found = {}
    for row in rows:
        payload = _fields(row, PHOTO_FIELDS)
        payload["approved"] = row.approved_at is not None
        payload["site"] = row.visit.site_id
        found[row.pk] = (payload, {"link": _desk_link("desk-visit-photos", row.visit_id)})
    return found


PAYLOADS = {"surveys.discrepancy": discrepancy_payloads, "surveys.visit": visit_payloads,
            "surveys.photo": photo_payloads}


def event_payloads(objs) -> dict:
    """{pk: (payload, context)} for model instances of one kind."""
    if not objs:
        return {}
    label = objs[0]._meta.label_lower
    if label not in PAYLOADS:
        raise ValueError(f"no outbox payload for {label}")
    return PAYLOADS[label]([obj.pk for obj in objs])
