"""Follow-up requests: discrepancies an editor asked a reporter to go back to (`needs_followup`).

A request is answered once a visit with `followup_of` pointing at it was filed after the request.
Reporters see the requests on their own evidence; editors every request, and how long it has waited.
"""
from django.db.models import OuterRef, QuerySet, Subquery

from surveys.models import Discrepancy, Visit
from surveys.selectors.scoping import discrepancies_for
from surveys.vocab import ReviewStatus


def followup_requests(user) -> QuerySet[Discrepancy]:
    """The user's follow-up requests, longest waiting first, each with `answered_at` (the first answer's
    arrival, or None) and `answers` (how many visits answered it since the request)."""
    answers = Visit.objects.filter(followup_of=OuterRef("pk"), created_at__gte=OuterRef("reviewed_at"))
    first_answer = answers.order_by("created_at").values("created_at")[:1]
    return (discrepancies_for(user).filter(status=ReviewStatus.NEEDS_FOLLOWUP)
            .annotate(answered_at=Subquery(first_answer))
            .order_by("reviewed_at", "id"))
