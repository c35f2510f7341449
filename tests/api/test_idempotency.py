"""The Idempotency-Key matrix of the contract's "Retries" section."""
import datetime as dt
import uuid

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.models import Photo, Visit
from tests.conftest import client_for
from tests.factories import SiteFactory, VisitFactory
from tests.imaging import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory()


def body(site, **extra):
    return {"site": site.pk, "started_at": "2025-10-14T14:05:00+08:00", "notes": "keyed", **extra}


def post(client, data, key):
    return client.post("/api/v1/visits/", data, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_same_request_replays_the_first_answer(reporter_client, site):
    key = str(uuid.uuid4())
    first = post(reporter_client, body(site), key)
    replay = post(reporter_client, body(site), key)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert Visit.objects.count() == 1


def test_same_key_different_request_is_422(reporter_client, site):
    key = str(uuid.uuid4())
    post(reporter_client, body(site), key)
    response = post(reporter_client, body(site, notes="something else"), key)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert Visit.objects.count() == 1


def test_key_still_in_flight_is_409(reporter_client, site, monkeypatch):
    import api.views.visits as views

    key = str(uuid.uuid4())
    inner = {}
    original = views.visit_create

    def create_while_retrying(**kwargs):
        inner["response"] = post(reporter_client, body(site), key)  # the phone retries meanwhile
        return original(**kwargs)

    monkeypatch.setattr(views, "visit_create", create_while_retrying)
    outer = post(reporter_client, body(site), key)
    assert outer.status_code == 201
    assert inner["response"].status_code == 409
    assert Visit.objects.count() == 1


def test_keys_are_scoped_per_user(reporter_client, other_reporter_client, site):
    key = str(uuid.uuid4())
    mine = post(reporter_client, body(site), key)
    theirs = post(other_reporter_client, body(site, notes="theirs"), key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


def test_key_expires_after_the_documented_time(reporter_client, site):
    key = str(uuid.uuid4())
    post(reporter_client, body(site), key)
    assert settings.IDEMPOTENCY_TTL >= dt.timedelta(hours=24)
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=23)):
        assert post(reporter_client, body(site), key).status_code == 201  # replayed within 24 h
        assert Visit.objects.count() == 1
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + settings.IDEMPOTENCY_TTL + dt.timedelta(minutes=1)):
        response = post(reporter_client, body(site, notes="new day, new request"), key)
    assert response.status_code == 201
    assert Visit.objects.count() == 2


def test_key_rules_apply_before_the_client_id_rules(reporter_client, site):
    key, visit_id = str(uuid.uuid4()), str(uuid.uuid4())
    assert post(reporter_client, body(site, id=visit_id), key).status_code == 201
    # Same id, other content: the id alone would say 409; the key says 422 first.
    assert post(reporter_client, body(site, id=visit_id, notes="edited"), key).status_code == 422
    # A new key with the same id and content: the id rule answers 200.
    assert post(reporter_client, body(site, id=visit_id), str(uuid.uuid4())).status_code == 200


def test_upload_retry_with_a_new_multipart_boundary_is_replayed(reporter, reporter_client):
    visit = VisitFactory(reporter=reporter)
    content = samples.jpeg_with_metadata(width=320, height=240)
    key = str(uuid.uuid4())
    url = f"/api/v1/visits/{visit.pk}/photos/"

    def send(boundary):
        from django.test.client import encode_multipart

        payload = encode_multipart(boundary, {"file": SimpleUploadedFile("a.jpg", content), "caption": "gate"})
        return reporter_client.generic("POST", url, payload, content_type=f"multipart/form-data; boundary={boundary}",
                                       HTTP_IDEMPOTENCY_KEY=key)

    first, retry = send("BoUnDaRy-one"), send("another-boundary-2")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert Photo.objects.count() == 1
    different = reporter_client.post(url, {"file": SimpleUploadedFile("a.jpg", samples.png_bytes()),
                                           "caption": "gate"}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert different.status_code == 422


def test_error_answers_are_replayed_too(reporter_client, site):
    key = str(uuid.uuid4())
    bad = {"site": site.pk, "started_at": "not a date"}
    assert post(reporter_client, bad, key).status_code == 400
    assert post(reporter_client, bad, key).status_code == 400
    assert Visit.objects.count() == 0


def test_token_endpoint_ignores_idempotency_keys(anon_client, reporter):
    key = str(uuid.uuid4())
    credentials = {"username": reporter.username, "password": "correct-horse-9"}
    first = anon_client.post("/api/v1/auth/token/", credentials, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = anon_client.post("/api/v1/auth/token/", credentials, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.json()["token"] != second.json()["token"]


def test_overlong_key_is_refused(reporter_client, site):
    assert post(reporter_client, body(site), "k" * 300).status_code == 400
    assert client_for(None).post("/api/v1/visits/", body(site), format="json").status_code == 401
