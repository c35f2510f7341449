import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from surveys import tasks
from surveys.models import Observation, Visit
from surveys.errors import ClientIdConflict
from surveys.services.common import field_values, insert_unless_taken, same_content
from surveys.services.evidence import (
    json_value, evidence_audit, evidence_change_check, observation_content, visit_content,
)
from surveys.services.sync import tombstone_record
from surveys.vocab import Processing

VISIT_FIELDS = ["site", "started_at", "ended_at", "latitude", "longitude", "notes", "observed_status",
                "activity_level", "activity_signs", "followup_of"]
OBSERVATION_FIELDS = ["visit", "metric", "low", "high", "unit", "qualifier", "status_value", "method",
                      "source_role", "quote", "confidence"]


def _enqueue_visit_processing(visit: Visit) -> None:
    tasks.process_visit.delay_on_commit(str(visit.pk), visit.revision)


def _enqueue_site_match(site_id: int) -> None:
    tasks.match_site.delay_on_commit(site_id)


def _create_with_client_id(model, *, client_id, owner_check, values: dict, build, after_insert):
    """Insert unless the id is taken, so concurrent retries create one row.

    Returns (obj, created). A taken id with the same owner and content returns the
    existing row; anything else raises ClientIdConflict.
    """
    obj = build(client_id or uuid.uuid4())
    # Related objects already loaded were fetched by the caller: no second existence query.
    loaded = [f.name for f in obj._meta.concrete_fields if f.is_relation and f.is_cached(obj)]
    obj.full_clean(exclude=loaded, validate_unique=False, validate_constraints=False)
    with transaction.atomic(savepoint=False):
        if insert_unless_taken(obj):
            after_insert(obj)
            return obj, True
    existing = model.objects.filter(pk=obj.pk).first()
    if existing is None or not owner_check(existing) or not same_content(existing, values):
        raise ClientIdConflict()  # (None: deleted since the insert found it taken)
    return existing, False


def visit_followup_check(*, followup_of, site) -> None:
    """A visit answering a follow-up request (`followup_of`) is a visit to the discrepancy's site.

    Which discrepancies a user may answer at all is scoping's business (the ones they can see).
    """
    if followup_of is not None and site is not None and followup_of.site_id != site.pk:
        raise ValidationError({"followup_of": ["This discrepancy is about another site than the visit's."]})


def visit_times_check(*, started_at, ended_at) -> None:
    """A visit ends at or after its start (the database's visit_ends_after_start, said by field)."""
    if started_at and ended_at and ended_at < started_at:
        raise ValidationError({"ended_at": ["Must not be before started_at."]})


def visit_create(*, reporter, client_id: uuid.UUID | None, values: dict) -> tuple[Visit, bool]:
    values = field_values(Visit, values, fields=VISIT_FIELDS)
    if values["site"] is not None and values["site"].merged_into_id is not None:
        values["site"] = values["site"].merged_into  # filed under a duplicate merged since: the canonical site
    visit_times_check(started_at=values["started_at"], ended_at=values["ended_at"])
    visit_followup_check(followup_of=values["followup_of"], site=values["site"])

    return _create_with_client_id(
        Visit, client_id=client_id, values=values,
        build=lambda pk: Visit(id=pk, reporter=reporter, **values),
        after_insert=_enqueue_visit_processing,
        owner_check=lambda existing: existing.reporter_id == reporter.pk,
    )


def _changed(obj, values: dict) -> dict:
    return {name: value for name, value in values.items() if getattr(obj, name) != value}


@transaction.atomic
def visit_update(*, visit: Visit, values: dict, actor=None) -> Visit:
    """Apply an edit; the visit goes back to `pending` until its notes are re-extracted.

    Evidence a decided discrepancy rests on: refused for reporters (409), audited for editors with the
    content it replaces (the re-extraction may replace the visit's observations).
    """
    changed = _changed(visit, values)
    resting = evidence_change_check(actor=actor, visit=visit) if changed else []
    if resting:
        evidence_audit(actor=actor, action="visit.edit", obj=visit, before=visit_content(visit),
                       after={name: json_value(value) for name, value in changed.items()}, resting=resting)
    old_site_id = visit.site_id
    for name, value in values.items():
        setattr(visit, name, value)
    visit_times_check(started_at=visit.started_at, ended_at=visit.ended_at)
    if {"followup_of", "site"} & values.keys():
        visit_followup_check(followup_of=visit.followup_of, site=visit.site)
    visit.processing = Processing.PENDING
    visit.processing_error = ""
    visit.revision = F("revision") + 1
    visit.full_clean(exclude=["revision"], validate_unique=False, validate_constraints=False)
    visit.save()
    visit.refresh_from_db()
    _enqueue_visit_processing(visit)
    if old_site_id != visit.site_id:
        _enqueue_site_match(old_site_id)
    return visit


@transaction.atomic
def visit_delete(*, visit: Visit, actor=None) -> None:
    """Delete a visit with its observations and photos, audited with what it held; refused for reporters
    when a decided discrepancy rests on it."""
    from surveys.services.photos import photo_files_delete_on_commit

    resting = evidence_change_check(actor=actor, visit=visit)
    evidence_audit(actor=actor, action="visit.delete", obj=visit, before=visit_content(visit), resting=resting)

    for observation_id in visit.observations.values_list("pk", flat=True):
        tombstone_record(obj=Observation(pk=observation_id), owner_id=visit.reporter_id)
    photo_files_delete_on_commit(list(visit.photos.all()))
    tombstone_record(obj=visit, owner_id=visit.reporter_id)
    site_id = visit.site_id
    visit.delete()
    _enqueue_site_match(site_id)


def observation_create(*, reporter, client_id: uuid.UUID | None, values: dict) -> tuple[Observation, bool]:
    values = field_values(Observation, values, fields=OBSERVATION_FIELDS)

    return _create_with_client_id(
        Observation, client_id=client_id, values=values,
        build=lambda pk: Observation(id=pk, extracted=False, **values),
        after_insert=lambda observation: _enqueue_site_match(observation.visit.site_id),
        owner_check=lambda existing: existing.visit.reporter_id == reporter.pk,
    )


@transaction.atomic
def observation_update(*, observation: Observation, values: dict, actor=None) -> Observation:
    from surveys.services.audit import audit_record

    changed = _changed(observation, values)
    resting = evidence_change_check(actor=actor, observation=observation) if changed.keys() - {"rejected"} else []
    if resting:
        evidence_audit(actor=actor, action="observation.edit", obj=observation,
                       before=observation_content(observation),
                       after={name: json_value(value) for name, value in changed.items()}, resting=resting)
    rejected_before = observation.rejected
    for name, value in values.items():
        setattr(observation, name, value)
    observation.full_clean(validate_unique=False, validate_constraints=False)
    observation.save()
    if observation.rejected != rejected_before:
        audit_record(actor=actor, action="observation.reject" if observation.rejected else "observation.unreject",
                     obj=observation, changes={"rejected": [rejected_before, observation.rejected]})
    _enqueue_site_match(observation.visit.site_id)
    return observation


@transaction.atomic
def observation_delete(*, observation: Observation, actor=None) -> None:
    resting = evidence_change_check(actor=actor, observation=observation)
    evidence_audit(actor=actor, action="observation.delete", obj=observation,
                   before=observation_content(observation), resting=resting)
    tombstone_record(obj=observation, owner_id=observation.visit.reporter_id)
    site_id = observation.visit.site_id
    observation.delete()
    _enqueue_site_match(site_id)
