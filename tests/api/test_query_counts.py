"""Every list endpoint runs a fixed number of queries whatever the page size."""
import pytest
from django.db import connection
from django.core.files.base import ContentFile
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import Discrepancy, Photo
from tests.factories import ClaimFactory, ObservationFactory, OrganizationFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db


def populate(reporter, count: int):
    for _ in range(count):
        parent = OrganizationFactory()
        site = SiteFactory(organization=OrganizationFactory(parent=parent), parent=SiteFactory())
        claim = ClaimFactory(site=site)
        visit = VisitFactory(reporter=reporter, site=site)
        observation = ObservationFactory(visit=visit)
        photo = Photo(visit=visit, original_format="jpeg", original_size=1, sha256="0" * 64)
        photo.original.save("o", ContentFile(b"x"), save=False)
        photo.save()
        discrepancy = Discrepancy.objects.create(claim=claim, site=site, metric="headcount", kind="numeric",
                                                 severity="high", explanation="x", status="confirmed")
        discrepancy.observations.add(observation)
        asked = Discrepancy.objects.create(claim=ClaimFactory(site=site), site=site, metric="headcount",
                                           kind="numeric", severity="high", explanation="x", status="needs_followup",
                                           reviewed_at=timezone.now())
        asked.observations.add(observation)
        VisitFactory(reporter=reporter, site=site, followup_of=asked)
    return visit


LISTS = ["/api/v1/organizations/", "/api/v1/sites/", "/api/v1/claims/", "/api/v1/visits/",
         "/api/v1/observations/", "/api/v1/photos/", "/api/v1/discrepancies/", "/api/v1/followups/",
         "/api/v1/visits/?updated_since=2000-01-01T00:00:00Z", "/api/v1/sites/?updated_since=2000-01-01T00:00:00Z"]


def count_queries(client, url) -> int:
    client.get(url)  # the first request of a token records its last use
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("role", ["reporter", "editor", "exporter"])
def test_list_query_count_does_not_grow_with_rows(request, reporter, url, role):
    client = request.getfixturevalue(f"{role}_client")
    populate(reporter, 2)
    few = count_queries(client, url)
    populate(reporter, 8)
    many = count_queries(client, url)
    assert many == few, f"{url}: {few} queries for 2 rows, {many} for 10"
    assert many <= 8


def test_visit_photo_list_query_count(reporter, reporter_client):
    visit = populate(reporter, 1)
    url = f"/api/v1/visits/{visit.pk}/photos/"
    few = count_queries(reporter_client, url)
    for index in range(5):
        photo = Photo(visit=visit, original_format="jpeg", original_size=1, sha256=f"{index}" * 64)
        photo.original.save("o", ContentFile(b"x"), save=False)
        photo.save()
    assert count_queries(reporter_client, url) == few


@pytest.mark.django_db(transaction=True)
def test_visit_post_query_count(reporter, reporter_client, monkeypatch):
    """The intake hot path: token and role, key claim, site, visit, stored answer, one commit."""
    import uuid

    from surveys import tasks

    queued = []
    # The message sent after commit, its own queries aside.
    monkeypatch.setattr(tasks.process_visit, "apply_async", lambda args, kwargs: queued.append(args))
    site = SiteFactory()
    reporter_client.get("/api/v1/sites/")  # the first request of a token records its last use
    visit_id = str(uuid.uuid4())
    with CaptureQueriesContext(connection) as queries:
        response = reporter_client.post("/api/v1/visits/", {"id": visit_id, "site": site.pk,
                                                            "started_at": "2025-10-14T14:05:00+08:00"},
                                        format="json", HTTP_IDEMPOTENCY_KEY=visit_id)
    assert response.status_code == 201, response.content
    statements = [query["sql"].split()[0] for query in queries if query["sql"] != "BEGIN IMMEDIATE"]
    assert statements == ["SELECT", "INSERT", "SELECT", "INSERT", "UPDATE", "COMMIT"], statements
    assert queued == [(visit_id, 1)]
