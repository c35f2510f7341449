"""Signed webhooks: a receiver on loopback verifies each delivery; failures are retried with backoff and
logged; deliveries can be replayed; payloads stay within the exporter policy."""
import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from surveys.models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint
from surveys.services.outbox import delivery_replay, outbox_deliver_due
from surveys.services.review import discrepancy_review
from surveys.services.webhooks import webhook_signature, webhook_verify
from tests.conftest import client_for
from tests.factories import SiteFactory, VisitFactory, make_user
from tests.notifications.conftest import SECRET

pytestmark = pytest.mark.django_db


def decided(receiver):
    return [r for r in receiver.requests if r["headers"]["X-Event"] == "discrepancy.decided"]


def test_a_receiver_on_loopback_verifies_the_signature_of_a_decision(endpoint, receiver, headcount_discrepancy,
                                                                     editor, committed):
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="confirmed", note="Seen twice.")
    [request] = decided(receiver)
    assert request["verified"]
    delivery = Delivery.objects.get(event__event="discrepancy.decided")
    headers = request["headers"]
    assert headers["X-Delivery-Id"] == str(delivery.pk)
    assert headers["X-Event-Id"] == str(delivery.event_id) == request["body"]["id"]
    assert headers["X-Delivery-Attempt"] == "1"
    assert headers["X-Signature"] == webhook_signature(SECRET, int(headers["X-Signature-Timestamp"]), request["raw"])
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    data = request["body"]["data"]
    assert (request["body"]["event"], data["id"], data["status"]) == ("discrepancy.decided", headcount_discrepancy.pk,
                                                                      "confirmed")
    assert data["observed"]["low"] == 600 and data["claimed"]["low"] == 2500  # confirmed: its figures go out
    assert delivery.state == "sent" or Delivery.objects.get(pk=delivery.pk).state == "sent"
    assert list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "status_code")) == [(1, 204)]


def test_the_signature_fails_for_another_body_secret_or_an_old_timestamp():
    body, now = b'{"event":"photo.ready"}', 1_796_212_800
    signature = webhook_signature(SECRET, now, body)
    assert webhook_verify(SECRET, timestamp=str(now), signature=signature, body=body, now=now + 10)
    assert not webhook_verify(SECRET, timestamp=str(now), signature=signature, body=body + b" ", now=now)
    assert not webhook_verify("another secret", timestamp=str(now), signature=signature, body=body, now=now)
    assert not webhook_verify(SECRET, timestamp=str(now + 1), signature=signature, body=body, now=now)
    assert not webhook_verify(SECRET, timestamp=str(now), signature=signature, body=body, now=now + 301)  # replayed
    assert not webhook_verify(SECRET, timestamp="soon", signature=signature, body=body, now=now)


def test_a_failing_receiver_is_retried_with_backoff_and_the_log_shows_it(endpoint, receiver, headcount_discrepancy,
                                                                         editor, committed, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    Delivery.objects.all().delete()  # the discrepancy's `opened` delivery is not this test's
    receiver.answers = [500, 503]
    started = timezone.now()
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="dismissed", note="")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    first_wait = delivery.next_attempt_at - started
    assert dt.timedelta(seconds=60) <= first_wait < dt.timedelta(seconds=70)

    assert outbox_deliver_due() == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    assert outbox_deliver_due() == 0
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 2, "HTTP 503")
    assert dt.timedelta(seconds=120) <= delivery.next_attempt_at - before < dt.timedelta(seconds=130)  # doubled

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "status_code", "error"))
    assert log == [(1, 500, "HTTP 500"), (2, 503, "HTTP 503"), (3, 204, "")]
    ids = {r["headers"]["X-Delivery-Id"] for r in receiver.requests}
    assert ids == {str(delivery.pk)}  # one delivery, three tries: the receiver can deduplicate
    assert [r["headers"]["X-Delivery-Attempt"] for r in receiver.requests] == ["1", "2", "3"]
    assert all(r["verified"] for r in receiver.requests)


def test_an_unreachable_receiver_and_a_redirect_are_failures(db, headcount_discrepancy, editor, committed, receiver):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    WebhookEndpoint.objects.create(name="Gone", url=f"http://127.0.0.1:{closed_port}/", secret=SECRET,
                                   events=["discrepancy.decided"])
    receiver.answers = [302]
    WebhookEndpoint.objects.create(name="Moved", url=receiver.url, secret=SECRET, events=["discrepancy.decided"])
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="confirmed", note="")
    gone = DeliveryAttempt.objects.get(delivery__endpoint__name="Gone")
    assert gone.status_code is None and "refused" in gone.error.lower()
    moved = DeliveryAttempt.objects.get(delivery__endpoint__name="Moved")
    assert (moved.status_code, moved.error) == (302, "HTTP 302")
    assert set(Delivery.objects.filter(event__event="discrepancy.decided").values_list("state", flat=True)) == {
        "pending"}


def test_a_delivery_is_replayed_as_a_new_delivery_of_the_same_event(endpoint, receiver, headcount_discrepancy,
                                                                    editor, committed, admin_user):
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="confirmed", note="")
    original = Delivery.objects.get(event__event="discrepancy.decided")
    with committed():
        replay = delivery_replay(delivery=original, actor=admin_user)
    first, again = decided(receiver)
    assert again["verified"] and again["body"] == first["body"]
    assert again["headers"]["X-Event-Id"] == first["headers"]["X-Event-Id"]
    assert again["headers"]["X-Delivery-Id"] == str(replay.pk) != first["headers"]["X-Delivery-Id"]
    replay.refresh_from_db()
    assert (replay.state, replay.replay_of_id) == ("sent", original.pk)


def test_admins_replay_from_the_admin_and_editors_cannot(endpoint, receiver, headcount_discrepancy, editor,
                                                         committed, admin_user, client):
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="confirmed", note="")
    original = Delivery.objects.get(event__event="discrepancy.decided")
    url = "/admin/surveys/delivery/"
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code in (200, 403) and b'value="replay"' not in response.content
    client.force_login(admin_user)
    response = client.get(f"{url}{original.pk}/change/")
    assert response.status_code == 200 and b"204" in response.content  # the log, with its response code
    with committed():
        response = client.post(url, {"action": "replay", "_selected_action": [str(original.pk)]})
    assert response.status_code == 302
    assert Delivery.objects.filter(replay_of=original, state="sent").count() == 1
    assert len(decided(receiver)) == 2


def test_only_active_endpoints_registered_for_the_event_get_it(db, receiver, headcount_discrepancy, editor, committed):
    WebhookEndpoint.objects.create(name="Photos only", url=receiver.url, secret=SECRET, events=["photo.ready"])
    WebhookEndpoint.objects.create(name="Paused", url=receiver.url, secret=SECRET, events=["discrepancy.decided"],
                                   active=False)
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="confirmed", note="")
    assert receiver.requests == []
    assert not Delivery.objects.filter(channel="webhook").exists()


# ------------------------------------------------------------------ the exporter policy
FORBIDDEN_KEYS = {"latitude", "longitude", "gps_time", "camera_make", "camera_model", "evidence", "distance_m",
                  "original", "sha256", "flag_details", "username", "reporter_id", "notes", "email"}


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def test_payloads_stay_within_the_exporter_policy(endpoint, receiver, reporter, committed):
    from tests.imaging import samples

    site = SiteFactory(latitude=samples.DEFAULT_LAT, longitude=samples.DEFAULT_LON, timezone="Asia/Shanghai")
    visit_id = str(uuid.uuid4())
    client = client_for(reporter)
    with committed():
        response = client.post("/api/v1/visits/", {
            "id": visit_id, "site": site.pk, "started_at": "2024-05-14T15:00:00+08:00", "latitude": 31.23,
            "longitude": 121.47, "notes": "The guard, Mr Zhou, said about 600-700 people work on the day shift."},
            format="json")
    assert response.status_code == 201, response.json()
    with committed():
        upload = SimpleUploadedFile("gate.jpg", samples.jpeg_with_metadata(width=640, height=480))
        response = client.post(f"/api/v1/visits/{visit_id}/photos/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content[:300]

    by_event = {r["body"]["event"]: r for r in receiver.requests}
    assert {"visit.processed", "photo.ready"} <= set(by_event)
    for request in receiver.requests:
        assert request["verified"]
        assert not keys_of(request["body"]) & FORBIDDEN_KEYS, request["body"]
        raw = request["raw"].decode()
        assert reporter.username not in raw and "Mr Zhou" not in raw and "31.23" not in raw
    visit = by_event["visit.processed"]["body"]["data"]
    assert visit["reporter"].startswith("reporter-") and visit["id"] == visit_id
    assert [(o["metric"], o["low"], o["high"]) for o in visit["observations"]] == [("headcount", 600, 700)]
    photo = by_event["photo.ready"]["body"]["data"]
    assert (photo["status"], photo["visit"], photo["approved"], photo["width"]) == ("ready", visit_id, False, 640)


def test_an_unconfirmed_discrepancy_goes_out_without_its_figures(endpoint, receiver, headcount_discrepancy):
    event = OutboxEvent.objects.get(event="discrepancy.opened", object_id=str(headcount_discrepancy.pk))
    assert event.payload["severity"] == headcount_discrepancy.severity
    assert event.payload["status"] == "open" and event.payload["site_name"] == "Zhongyuan Electronics Plant"
    assert not {"observed", "claimed", "ratio", "explanation", "explanation_zh"} & set(event.payload)
    # The mails to editors carry what they need, but never reach a webhook.
    assert event.context["explanation"] and "context" not in json.dumps(event.payload)


def test_admins_read_the_delivery_log_and_replay_through_the_api(endpoint, receiver, headcount_discrepancy, editor,
                                                                 committed, admin_user, settings,
                                                                 django_assert_max_num_queries):
    receiver.answers = [500]
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="confirmed", note="")
    original = Delivery.objects.get(event__event="discrepancy.decided")
    Delivery.objects.filter(pk=original.pk).update(next_attempt_at=timezone.now())
    outbox_deliver_due()  # the second try answers 204 (the `opened` delivery goes too)
    admin = client_for(admin_user)
    listed = admin.get("/api/v1/outbox/deliveries/", {"event": "discrepancy.decided", "state": "sent"}).json()
    [row] = listed["results"]
    assert (row["id"], row["endpoint"], row["attempts"]) == (str(original.pk), endpoint.pk, 2)
    assert [(a["number"], a["status_code"]) for a in row["log"]] == [(1, 500), (2, 204)]
    with django_assert_max_num_queries(12):
        assert admin.get("/api/v1/outbox/deliveries/").status_code == 200
    assert admin.get("/api/v1/outbox/deliveries/", {"state": "lost"}).status_code == 400

    with committed():
        response = admin.post(f"/api/v1/outbox/deliveries/{original.pk}/replay/")
    assert response.status_code == 201, response.json()
    assert (response.json()["replay_of"], response.json()["event_id"]) == (str(original.pk), str(original.event_id))
    assert Delivery.objects.get(pk=response.json()["id"]).state == "sent"
    assert len(decided(receiver)) == 3

    for who in (editor, make_user("exporter")):
        client = client_for(who)
        assert client.get("/api/v1/outbox/deliveries/").status_code == 403
        assert client.post(f"/api/v1/outbox/deliveries/{original.pk}/replay/").status_code == 403


def test_only_webhook_deliveries_are_replayed(headcount_discrepancy, editor, admin_user):
    discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    mail_delivery = Delivery.objects.get(channel="email")
    response = client_for(admin_user).post(f"/api/v1/outbox/deliveries/{mail_delivery.pk}/replay/")
    assert response.status_code == 409 and "webhook" in response.json()["detail"]
