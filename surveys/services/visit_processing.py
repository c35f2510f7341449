"""A visit's notes become extracted observations, then its site is re-matched.

Safe to run twice: the run only acts on the revision it was queued for, the
extracted observations get ids derived from the visit and the fact, and the
visit is marked done with a compare-and-set on that revision.
"""
import logging
import uuid
import zoneinfo
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from surveys import tasks
from surveys.models import Discrepancy, Observation, Visit
from surveys.services import outbox
from surveys.services.followups import followup_arrived
from surveys.services.sync import tombstone_record
from surveys.services.values import fact_value_shape
from surveys.vocab import Method, Metric, Processing, Qualifier

log = logging.getLogger(__name__)
EXTRACTION_NAMESPACE = uuid.UUID("6f1d8a52-93a4-4c0e-9a43-5c1f3b7e2d10")


def _observation_id(visit_id, fact) -> uuid.UUID:
    return uuid.uuid5(EXTRACTION_NAMESPACE, f"{visit_id}|{fact.metric}|{fact.span[0]}|{fact.span[1]}|{fact.surface}")


def _mark_observation(visit: Visit) -> dict:
    """{id: values} for the status the reporter marked at the visit (none: {}).

    One per visit, its id derived from the visit alone, so every edit and every re-run
    updates the same row.
    """
    from surveys.engine.matching import REPORTER_MARK_CONFIDENCE, reporter_status

    status = reporter_status(visit.observed_status, visit.activity_level, visit.activity_signs or [])
    if status is None:
        return {}
    signs = "; ".join(str(sign) for sign in visit.activity_signs or [])
    return {uuid.uuid5(EXTRACTION_NAMESPACE, f"{visit.pk}|reporter-mark"): {
        "metric": Metric.STATUS.value, "low": None, "high": None, "unit": "", "qualifier": Qualifier.EXACT.value,
        "status_value": status.value, "method": Method.REPORTER.value, "source_role": "", "quote": signs,
        "confidence": REPORTER_MARK_CONFIDENCE, "span_start": None, "span_end": None,
    }}


def _visit_local_date(visit: Visit):
    try:
        zone = zoneinfo.ZoneInfo(visit.site.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return visit.started_at.astimezone(zone).date()


def _fact_values(fact) -> dict:
    return {
        **fact_value_shape(fact),
        "method": (fact.method or Method.ESTIMATED).value, "source_role": fact.source_role[:120],
        "quote": fact.surface, "confidence": round(min(max(fact.confidence, 0.0), 1.0), 3),
        "span_start": fact.span[0], "span_end": fact.span[1],
    }


@transaction.atomic
def visit_replace_extracted(*, visit: Visit) -> int:
    """Replace the visit's derived observations with what its notes and marks say now.

    Derived (`extracted`) are the facts read from the notes and the status the reporter
    marked (observed status, or activity 0 with signs of a stopped site). Observations the
    reporter entered are never touched; a derived one an editor rejected stays rejected
    while the visit still says the same.
    """
    from surveys.engine import extract_observations

    facts = extract_observations(visit.notes, visit_date=_visit_local_date(visit))
    wanted = {_observation_id(visit.pk, fact): _fact_values(fact) for fact in facts}
    wanted.update(_mark_observation(visit))
    # Locked in id order; the default ordering would join the visit (and lock its row too).
    existing = {obs.pk: obs for obs in visit.observations.select_for_update().filter(extracted=True).order_by("pk")}
    for obs_id, obs in existing.items():
        values = wanted.get(obs_id)
        if values is None:
            tombstone_record(obj=obs, owner_id=visit.reporter_id)
            obs.delete()
        elif any(getattr(obs, name) != value for name, value in values.items()):
            Observation.objects.filter(pk=obs_id).update(updated_at=timezone.now(), **values)
    Observation.objects.bulk_create([Observation(id=obs_id, visit=visit, extracted=True, **values)
                                     for obs_id, values in wanted.items() if obs_id not in existing])
    return len(wanted)


def visit_process(*, visit_id, revision: int) -> str:
    from surveys.services.matching import site_rematch

    visit = Visit.objects.select_related("site").filter(pk=visit_id).order_by().first()
    if visit is None:
        return "gone"
    if visit.revision != revision:
        return "stale"  # a later edit queued its own run
    if visit.processing != Processing.PENDING:
        return "already processed"  # a duplicate message (a resend, a sweep): nothing to do
    try:
        visit_replace_extracted(visit=visit)
        site_rematch(site_id=visit.site_id)
    except (OperationalError, InterfaceError):
        raise  # the database is away: the task retries, the visit stays pending
    except Exception as exc:
        log.exception("processing visit %s failed", visit_id)
        # Only a run still pending is marked failed: a duplicate that raced a run which has finished
        # (and failed on the rows that run inserted) must not undo its outcome.
        Visit.objects.filter(pk=visit.pk, revision=revision, processing=Processing.PENDING).update(
            processing=Processing.FAILED, processing_error=f"{type(exc).__name__}: {exc}"[:2000])
        return "failed"
    with transaction.atomic():
        if Visit.objects.filter(pk=visit.pk, revision=revision).update(processing=Processing.DONE,
                                                                       processing_error=""):
            followup_arrived(visit=visit)
            _emit_processed(visit, revision)
    return "done"


def _emit_processed(visit: Visit, revision: int) -> None:
    """Tell webhooks the visit's evidence is in; a follow-up visit's first one tells the discrepancy's assignee."""
    outbox.emit("visit.processed", visit, key=f"visit.processed:{visit.pk}:{revision}")
    if visit.followup_of_id:
        discrepancy = Discrepancy.objects.select_related("assignee").filter(pk=visit.followup_of_id).first()
        if discrepancy is not None:
            outbox.emit("followup.answered", discrepancy, recipients=[discrepancy.assignee],
                        key=f"followup.answered:{visit.pk}:{discrepancy.pk}")


def visits_requeue_pending() -> int:
    """Beat sweep: re-queue visits pending for VISIT_REQUEUE_AFTER (their message was lost).

    Reads the partial index of pending visits only, so it costs little however many visits are done.
    """
    stale = Visit.objects.filter(processing=Processing.PENDING,
                                 updated_at__lt=timezone.now() - settings.VISIT_REQUEUE_AFTER)
    count = 0
    for visit_id, revision in stale.values_list("pk", "revision")[:1000]:
        tasks.process_visit.delay(str(visit_id), revision)
        count += 1
    return count
