"""The events come from where things happen: visit processing, matching, the photo pipeline and review.

On the product doc's headcount example and on a Sichuan-like battery plant.
"""
import uuid

import pytest
from django.core import mail

from surveys.models import Delivery, Discrepancy, NotificationPreference, OutboxEvent
from surveys.services.desk import discrepancy_assign
from surveys.services.matching import site_rematch
from tests.factories import ClaimFactory, SiteFactory, make_user
from tests.matching.conftest import battery_plant, sichuan_visit  # noqa: F401  (a fixture)
from tests.notifications.conftest import with_email

pytestmark = pytest.mark.django_db


def post_visit(client, committed, body):
    with committed():
        response = client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def visit_body(site, notes, **overrides):
    return {"id": str(uuid.uuid4()), "site": site.pk, "started_at": "2025-10-14T14:05:00+08:00", "notes": notes,
            **overrides}


@pytest.fixture
def plant(committed):
    site = SiteFactory(name="Zhongyuan Electronics Plant")
    ClaimFactory(site=site, text="The plant employs 2,500 people.")
    return site


@pytest.fixture
def assignee(db):
    return with_email(make_user("editor", "wang-editor"))


def events(name):
    return list(OutboxEvent.objects.filter(event=name).order_by("created_at"))


def test_a_follow_up_visit_notifies_the_assignee_once(reporter, reporter_client, editor_client, assignee, plant,
                                                      committed):
    with_email(reporter)
    first = post_visit(reporter_client, committed, visit_body(plant, "A worker said about 600-700 people work here."))
    discrepancy = Discrepancy.objects.get(site=plant)
    discrepancy_assign(discrepancy=discrepancy, assignee=assignee, actor=assignee)
    with committed():
        response = editor_client.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/",
                                      {"status": "needs_followup", "note": "Count at the shift change."},
                                      format="json")
    assert response.status_code == 200
    [request] = mail.outbox
    assert (request.to, request.subject) == (["reporter-one@example.org"],
                                             "Follow-up requested: Zhongyuan Electronics Plant")
    mail.outbox.clear()

    followup = visit_body(plant, "At the 8pm shift change I counted about 650 workers leaving.",
                          followup_of=discrepancy.pk)
    post_visit(reporter_client, committed, followup)
    [answered] = mail.outbox  # one mail: the follow-up's answer, not also "new evidence" about the same visit
    assert (answered.to, answered.subject) == (["wang-editor@example.org"],
                                               "A follow-up visit arrived: Zhongyuan Electronics Plant")
    assert f"/desk/discrepancies/{discrepancy.pk}/" in answered.body

    # The reporter edits the follow-up visit: it is processed again, the assignee is not told again.
    with committed():
        response = reporter_client.patch(f"/api/v1/visits/{followup['id']}/",
                                         {"notes": "At the 8pm shift change I counted about 660 workers leaving."},
                                         format="json")
    assert response.status_code == 200, response.json()
    assert len(mail.outbox) == 1
    assert len(events("followup.answered")) == 1
    assert len(events("visit.processed")) == 3  # the first visit, the follow-up and its edit
    assert first["id"] in {e.object_id for e in events("visit.processed")}


def test_new_evidence_on_a_dismissed_discrepancy_tells_its_assignee(reporter_client, editor_client, assignee, plant,
                                                                    committed):
    """The product doc's case: 600-700 seen, dismissed; a later visit says about 300."""
    post_visit(reporter_client, committed, visit_body(plant, "A worker at the canteen said about 600-700 people."))
    discrepancy = Discrepancy.objects.get(site=plant)
    discrepancy_assign(discrepancy=discrepancy, assignee=assignee, actor=assignee)
    with committed():
        editor_client.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/",
                           {"status": "dismissed", "note": "A shift, not the workforce."}, format="json")
    [decided] = events("discrepancy.decided")
    assert decided.payload["status"] == "dismissed" and "observed" not in decided.payload
    assert mail.outbox == []

    post_visit(reporter_client, committed, visit_body(plant, "The guard said about 300 people work here now.",
                                                      started_at="2025-11-20T10:00:00+08:00"))
    [message] = mail.outbox
    assert message.to == ["wang-editor@example.org"]
    assert message.subject == "New evidence on a decided discrepancy: Zhongyuan Electronics Plant"
    assert "“dismissed”" in message.body
    # Matching the site again with nothing new: no second mail.
    with committed():
        site_rematch(site_id=plant.pk)
    assert len(mail.outbox) == 1


def test_the_idle_battery_plant_alerts_the_subscribed_editors(reporter_client, committed, battery_plant):
    """Sichuan-like: a plant due in production by June 2025, marked idle in September: a high `timeline`
    discrepancy, mailed at once to the editor who subscribed, and a webhook event without its figures."""
    watcher = with_email(make_user("editor", "zhao-editor"))
    NotificationPreference.objects.create(user=watcher, high_severity="immediate", language="zh-hans")
    post_visit(reporter_client, committed, sichuan_visit(battery_plant))
    discrepancy = Discrepancy.objects.get(site=battery_plant)
    assert (discrepancy.kind, discrepancy.severity) == ("timeline", "high")
    [message] = mail.outbox
    assert message.to == ["zhao-editor@example.org"]
    assert message.subject == "新的高严重程度差异：Yibin Xinneng Battery Plant"
    [opened] = events("discrepancy.opened")
    assert (opened.payload["id"], opened.payload["kind"], opened.payload["severity"]) == (discrepancy.pk, "timeline",
                                                                                         "high")
    assert Delivery.objects.get(event=opened).state == "sent"


def test_a_photo_ready_event_comes_from_the_pipeline(reporter, reporter_client, committed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import VisitFactory
    from tests.imaging import samples

    visit = VisitFactory(reporter=reporter)
    with committed():
        response = reporter_client.post(f"/api/v1/visits/{visit.pk}/photos/", {
            "file": SimpleUploadedFile("gate.jpg", samples.jpeg_with_metadata(width=320, height=240))},
            format="multipart")
    assert response.status_code == 201
    [ready] = events("photo.ready")
    assert (ready.object_id, ready.payload["status"], ready.payload["visit"]) == (response.json()["id"], "ready",
                                                                                  str(visit.pk))
