from django.db import transaction
from django.utils import timezone

from surveys.models import Discrepancy
from surveys.services.audit import audit_record


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
    return discrepancy
