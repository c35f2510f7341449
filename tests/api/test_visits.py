import uuid

import pytest

from surveys.models import Visit
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def visit_body(site, **overrides):
    body = {"id": str(uuid.uuid4()), "site": site.pk, "started_at": "2025-10-14T14:05:00+08:00",
            "notes": "Gate open, 40-50 cars parked.", "activity_level": 3}
    body.update(overrides)
    return body


def test_reporter_creates_a_visit_that_starts_pending(reporter_client, reporter):
    site = SiteFactory()
    response = reporter_client.post("/api/v1/visits/", visit_body(site), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["reporter"] == reporter.username
    assert data["processing"] in ("pending", "done", "failed")
    assert Visit.objects.count() == 1


def test_retry_with_same_id_and_content_returns_200_and_creates_no_second_visit(reporter_client):
    site = SiteFactory()
    body = visit_body(site)
    first = reporter_client.post("/api/v1/visits/", body, format="json")
    # The same instant written with another offset is the same content.
    retry = reporter_client.post("/api/v1/visits/", {**body, "started_at": "2025-10-14T06:05:00Z"}, format="json")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == body["id"]
    assert Visit.objects.count() == 1


def test_same_id_with_different_content_is_409(reporter_client):
    site = SiteFactory()
    body = visit_body(site)
    reporter_client.post("/api/v1/visits/", body, format="json")
    response = reporter_client.post("/api/v1/visits/", {**body, "notes": "changed"}, format="json")
    assert response.status_code == 409
    assert set(response.json()) >= {"detail"}


def test_someone_elses_id_is_409_revealing_nothing(reporter_client, other_reporter_client):
    site = SiteFactory()
    body = visit_body(site)
    reporter_client.post("/api/v1/visits/", body, format="json")
    response = other_reporter_client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 409
    assert "Gate" not in response.content.decode()


def test_reporter_sees_only_own_visits(reporter_client, other_reporter_client):
    site = SiteFactory()
    body = visit_body(site)
    reporter_client.post("/api/v1/visits/", body, format="json")
    assert other_reporter_client.get("/api/v1/visits/").json()["results"] == []
    assert other_reporter_client.get(f"/api/v1/visits/{body['id']}/").status_code == 404


def test_invalid_visit_gets_field_errors(reporter_client):
    site = SiteFactory()
    response = reporter_client.post("/api/v1/visits/", visit_body(site, activity_level=9, started_at="yesterday"),
                                    format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"activity_level", "started_at"}


def test_reporter_cannot_set_reporter_or_processing(reporter_client, reporter, other_reporter):
    site = SiteFactory()
    body = visit_body(site, reporter=other_reporter.pk, processing="done")
    response = reporter_client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201
    visit = Visit.objects.get()
    assert visit.reporter == reporter


def test_exporter_sees_no_positions_and_a_pseudonym(reporter_client, exporter_client, reporter):
    site = SiteFactory(latitude=31.1, longitude=121.2)
    body = visit_body(site, latitude=31.2, longitude=121.3)
    reporter_client.post("/api/v1/visits/", body, format="json")
    data = exporter_client.get(f"/api/v1/visits/{body['id']}/").json()
    assert data["latitude"] is None and data["longitude"] is None
    assert (data["site_latitude"], data["site_longitude"]) == (31.1, 121.2)
    assert data["reporter"].startswith("reporter-") and data["reporter"] != reporter.username
    assert exporter_client.post("/api/v1/visits/", visit_body(site), format="json").status_code == 403


def test_anonymous_gets_401_with_error_shape(anon_client):
    response = anon_client.get("/api/v1/visits/")
    assert response.status_code == 401
    assert "detail" in response.json()
