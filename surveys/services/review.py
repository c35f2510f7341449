"""Editors' decisions, each with a snapshot of what it was made on (docs/evidence.md).

A decided discrepancy shows its snapshot; matching keeps what it finds since beside it
(`latest`, `new_evidence`). Deciding again decides on the latest evidence: it is adopted
into the discrepancy's fields first, then snapshotted.
"""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from surveys.models import Discrepancy, DiscrepancyDecision, Observation, Photo
from surveys.services import outbox
from surveys.services.audit import audit_record
from surveys.vocab import DECIDED_STATUSES, SEVERITY_RANK, ReviewStatus, Severity

# The fields a snapshot holds and an undo puts back (the discrepancy's columns of the same names).
SNAPSHOT_FIELDS = ["kind", "claimed", "observed", "ratio", "severity", "explanation", "explanation_zh",
                   "observed_visit_id", "observed_observation_id", "source_conflict"]


def _existing_observations(ids) -> list:
    return list(Observation.objects.filter(pk__in=list(ids)).values_list("pk", flat=True))


def _adopt_latest(discrepancy: Discrepancy) -> None:
    """Put the evidence found since the last decision into the decided fields (an open discrepancy's view)."""
    from surveys.services.matching import SYSTEM_FIELDS

    latest = discrepancy.latest
    if latest is not None:
        if not latest["resolved"]:
            for name in SYSTEM_FIELDS:
                setattr(discrepancy, name, latest[name])
            discrepancy.observations.set(_existing_observations(latest["observation_ids"]))
        discrepancy.supporting.set(_existing_observations(latest["supporting_ids"]))
    discrepancy.latest = None
    discrepancy.new_evidence_at = None
    discrepancy.followup_arrived_at = None
    discrepancy.new_evidence.clear()


def _snapshot(discrepancy: Discrepancy, *, status: str, note: str, reviewer, at) -> DiscrepancyDecision:
    observation_ids = sorted(str(pk) for pk in discrepancy.observations.values_list("pk", flat=True))
    supporting_ids = sorted(str(pk) for pk in discrepancy.supporting.values_list("pk", flat=True))
    photo_ids = sorted({str(pk) for pk in Photo.objects.filter(
        visit__observations__in=observation_ids).values_list("pk", flat=True)})
    return DiscrepancyDecision.objects.create(
        discrepancy=discrepancy, status=status, note=note, reviewer=reviewer, decided_at=at,
        observation_ids=observation_ids, supporting_ids=supporting_ids, photo_ids=photo_ids,
        **{name: getattr(discrepancy, name) for name in SNAPSHOT_FIELDS},
    )


@transaction.atomic
def discrepancy_review(*, discrepancy: Discrepancy, reviewer, status: str, note: str = "") -> Discrepancy:
    """An editor's decision, snapshotted and recorded with its before/after in the audit trail.

    The row is locked first, so that a matching run cannot slip new evidence in between what the
    editor is shown as decided and the snapshot.
    """
    discrepancy = Discrepancy.objects.select_for_update(of=("self",)).get(pk=discrepancy.pk)
    before = {"status": discrepancy.status, "review_note": discrepancy.review_note}
    had_new_evidence = discrepancy.new_evidence_at is not None
    now = timezone.now()
    _adopt_latest(discrepancy)
    decision = _snapshot(discrepancy, status=status, note=note, reviewer=reviewer, at=now)
    discrepancy.status = status
    discrepancy.review_note = note
    discrepancy.reviewer = reviewer
    discrepancy.reviewed_at = now
    discrepancy.decision = decision if status in DECIDED_STATUSES else None
    discrepancy.save()
    changes = {"status": [before["status"], status], "review_note": [before["review_note"], note],
               "snapshot": decision.pk}
    if had_new_evidence:
        changes["adopted_new_evidence"] = True
    audit_record(actor=reviewer, action="discrepancy.review", obj=discrepancy, changes=changes)
    outbox.emit("discrepancy.decided", discrepancy)
    if status == ReviewStatus.NEEDS_FOLLOWUP:
        outbox.emit("followup.requested", discrepancy, recipients=followup_reporters(discrepancy))
    return discrepancy


def followup_reporters(discrepancy: Discrepancy) -> list:
    """Who is asked for a follow-up: the reporter of the visit the observed value came from, else
    the reporters of the discrepancy's evidence."""
    users = get_user_model().objects.filter(is_active=True)
    if discrepancy.observed_visit_id:
        reporter = users.filter(visits__pk=discrepancy.observed_visit_id).first()
        if reporter is not None:
            return [reporter]
    return list(users.filter(visits__observations__discrepancies=discrepancy).distinct())


def decision_undo(*, discrepancy: Discrepancy, undone_event_changes: dict, restored_status: str) -> None:
    """After an undo (desk): the undone decision is marked undone (it stays in the history) and the
    discrepancy shows the decision in force before it, or, restored to open, follows the latest evidence
    again (the caller re-matches the site). `discrepancy` is locked by the caller and saved by it."""
    decision_id = undone_event_changes.get("snapshot")
    if decision_id:
        DiscrepancyDecision.objects.filter(pk=decision_id, discrepancy=discrepancy).update(undone_at=timezone.now())
    previous = None
    if restored_status in DECIDED_STATUSES:
        previous = (DiscrepancyDecision.objects.filter(discrepancy=discrepancy, undone_at__isnull=True,
                                                       status__in=list(DECIDED_STATUSES))
                    .exclude(pk=decision_id).order_by("-decided_at", "-id").first())
    discrepancy.decision = previous
    if previous is not None:
        for name in SNAPSHOT_FIELDS:
            setattr(discrepancy, name, getattr(previous, name))
        discrepancy.severity_rank = SEVERITY_RANK[Severity(previous.severity)]
        discrepancy.observations.set(_existing_observations(previous.observation_ids))
        discrepancy.supporting.set(_existing_observations(previous.supporting_ids))
