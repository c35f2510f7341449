"""A visit answering a follow-up request comes back to the discrepancy (docs/evidence.md)."""
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from surveys.models import Discrepancy, Visit
from surveys.services.audit import audit_record
from surveys.vocab import DECIDED_STATUSES


def followup_arrived(*, visit: Visit) -> bool:
    """Flag "follow-up arrived" on the decided discrepancy this visit answers, if the visit came after the
    decision: it returns to the editors' queue under "new evidence" (and its assignee is told through the
    outbox, see visit_processing). Run in the transaction that marks the visit processed, so its evidence is
    already matched in. Whether the flag was set now (a reprocessed visit flags once)."""
    if visit.followup_of_id is None:
        return False
    now = timezone.now()
    flagged = Discrepancy.objects.filter(
        pk=visit.followup_of_id, status__in=list(DECIDED_STATUSES), reviewed_at__lte=visit.created_at,
        followup_arrived_at__isnull=True,
    ).update(followup_arrived_at=now, new_evidence_at=Coalesce(F("new_evidence_at"), now), updated_at=now)
    if flagged:
        audit_record(actor=None, action="discrepancy.followup_arrived", obj=Discrepancy(pk=visit.followup_of_id),
                     changes={"visit": str(visit.pk)})
    return bool(flagged)
