"""The exception handler reads PostgreSQL's own diagnostics of a constraint violation."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from api.errors import integrity_error
from surveys.models import LinkProposal, Visit
from tests.factories import SiteFactory, VisitFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _violation(create) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        create()
    return caught.value


def test_a_check_violation_on_postgresql_is_a_400_naming_the_rule():
    start = dt.datetime(2025, 10, 14, tzinfo=dt.timezone.utc)
    site, reporter = SiteFactory(), VisitFactory().reporter
    error = integrity_error(_violation(lambda: Visit.objects.create(
        site=site, reporter=reporter, started_at=start, ended_at=start - dt.timedelta(hours=1))))
    assert (error.status, error.body()) == (400, {"detail": "The values break the rule visit_ends_after_start."})


def test_a_unique_violation_on_postgresql_is_a_409_naming_the_rule_and_its_fields():
    site, other = SiteFactory(), SiteFactory()
    LinkProposal.objects.create(site=site, candidate_site=other, candidate_name=other.name, score=0.9)
    error = integrity_error(_violation(lambda: LinkProposal.objects.create(
        site=site, candidate_site=other, candidate_name=other.name, score=0.8)))
    message = "This conflicts with an existing object (rule linkproposal_unique_site_pair)."
    assert (error.status, error.body()) == (409, {"detail": message, "errors": {
        "site": [message], "candidate_site": [message]}})
