"""schemathesis with every check over every operation of the served schema, on PostgreSQL.

The schemathesis command line runs against a live server on the test database, once as an
editor and once as a reporter, over a dataset where every nullable field is null somewhere
(an unassigned discrepancy, an audit event with no actor, a claim without a status) and the
sync feeds carry deletions. It must find no server error and no response that breaks the
schema. Bounded: a few examples per operation and the examples and fuzzing phases (about a
minute per role on a shared machine). The coverage phase (boundary and negative cases of every
parameter, ~4,700 requests, 7 minutes per role) is left to a manual run:
`schemathesis run URL/api/v1/schema/ --checks all --exclude-checks positive_data_acceptance --phases coverage`.
"""
import datetime as dt
import subprocess
import sys
import uuid

import pytest
from django.core.files.base import ContentFile

from surveys.models import AuditEvent, Discrepancy, DiscrepancyComment, Photo
from surveys.services.tokens import token_create
from surveys.services.visits import visit_delete
from surveys.vocab import Role
from tests.factories import ClaimFactory, ObservationFactory, OrganizationFactory, SiteFactory, VisitFactory, make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = 3
# Every check schemathesis has, but:
EXCLUDED_CHECKS = [
    # A request the schema allows may still break a rule the contract sets and a schema cannot
    # say (a visit that ends before it starts, an id that belongs to someone else, a discrepancy
    # a reporter may read but not review): the contract answers those 400, 403, 404 or 409.
    "positive_data_acceptance",
]
# Operations whose examples would pull the ground from under the run: revoking the very token
# the run authenticates with (every later request would be a 401).
EXCLUDED_OPERATIONS = ["DELETE /api/v1/auth/token/"]


@pytest.fixture
def dataset():
    reporter, editor = make_user(Role.REPORTER, "fuzz-reporter"), make_user(Role.EDITOR, "fuzz-editor")
    organization = OrganizationFactory(parent=OrganizationFactory())
    site = SiteFactory(organization=organization, parent=SiteFactory())
    claim = ClaimFactory(site=site, organization=organization)
    ClaimFactory(site=site, metric="status", low=None, high=None, unit="", status_value="operating")
    visit = VisitFactory(reporter=reporter, site=site)
    observation = ObservationFactory(visit=visit)
    photo = Photo(visit=visit, original_format="jpeg", original_size=1, sha256="0" * 64)
    photo.original.save("original", ContentFile(b"x"), save=False)
    photo.save()
    open_one = Discrepancy.objects.create(claim=claim, site=site, metric="headcount", kind="numeric",
                                          severity="high", explanation="x", status="open")
    open_one.observations.add(observation)
    decided = Discrepancy.objects.create(claim=ClaimFactory(site=site), site=site, metric="headcount",
                                         kind="numeric", severity="low", explanation="y", status="confirmed",
                                         reviewer=editor, assignee=editor,
                                         reviewed_at=dt.datetime(2025, 10, 20, tzinfo=dt.timezone.utc))
    decided.observations.add(observation)
    DiscrepancyComment.objects.create(discrepancy=open_one, author=editor, text="Check the gate count.")
    AuditEvent.objects.create(actor=None, action="system.resolve", object_type="surveys.discrepancy",
                              object_id=str(open_one.pk), changes={})
    visit_delete(visit=VisitFactory(reporter=reporter, site=site))  # a deletion in the sync feeds
    return {"reporter": reporter, "editor": editor}


def schemathesis_run(base_url: str, user) -> subprocess.CompletedProcess:
    _, key = token_create(user=user, device=f"schemathesis-{uuid.uuid4().hex[:8]}")
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/api/v1/schema/",
        "--checks", "all", "--exclude-checks", ",".join(EXCLUDED_CHECKS),
        "--max-examples", str(MAX_EXAMPLES), "--generation-deterministic", "--no-shrink",
        "--phases", "examples,fuzzing", "--request-timeout", "30",
        "--header", f"Authorization: Token {key}", "--no-color",
        *[arg for label in EXCLUDED_OPERATIONS for arg in ("--exclude-name", label)],
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("role", ["editor", "reporter"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, dataset, role):
    result = schemathesis_run(live_server.url, dataset[role])
    failures = result.stdout[result.stdout.find("=== FAILURES"):]  # the report, without the progress lines
    assert result.returncode == 0, failures[:20000] or result.stdout[-5000:] + result.stderr[-5000:]
