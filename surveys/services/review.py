from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from surveys.models import Discrepancy
from surveys.services import outbox
from surveys.services.audit import audit_record
from surveys.vocab import ReviewStatus


@transaction.atomic
def discrepancy_review(*, discrepancy: Discrepancy, reviewer, status: str, note: str = "") -> Discrepancy:
    """An editor's decision, recorded with its before/after in the audit trail."""
    discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    before = {"status": discrepancy.status, "review_note": discrepancy.review_note}
    discrepancy.status = status
    discrepancy.review_note = note
    discrepancy.reviewer = reviewer
    discrepancy.reviewed_at = timezone.now()
    discrepancy.save()
    audit_record(actor=reviewer, action="discrepancy.review", obj=discrepancy,
                 changes={"status": [before["status"], status], "review_note": [before["review_note"], note]})
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
