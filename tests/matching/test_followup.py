"""`Visit.followup_of`: a visit answering an editor's follow-up request, through the JSON API."""
import uuid

import pytest

from django.db.models import F

from surveys.models import AuditEvent, Discrepancy, Observation, Visit
from surveys.services.matching import site_rematch
from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(reporter):
    """A headcount discrepancy resting on the reporter's visit (600-700 seen, 2,500 claimed)."""
    site = SiteFactory(name="Hengda PV Glass, Phase 1")
    ClaimFactory(site=site)
    ObservationFactory(visit=VisitFactory(site=site, reporter=reporter))
    site_rematch(site_id=site.pk)
    return Discrepancy.objects.get(site=site)


def body(discrepancy, **overrides):
    return {"id": str(uuid.uuid4()), "site": discrepancy.site_id, "started_at": "2025-10-20T10:00:00+08:00",
            "notes": "Back at the gate.", "followup_of": discrepancy.pk, **overrides}


def test_reporter_answers_a_discrepancy_resting_on_their_visit(reporter_client, asked):
    sent = body(asked)
    response = reporter_client.post("/api/v1/visits/", sent, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["followup_of"] == asked.pk
    assert Visit.objects.get(pk=sent["id"]).followup_of_id == asked.pk
    # A blind retry is the same content, and followup_of is part of it.
    assert reporter_client.post("/api/v1/visits/", sent, format="json").status_code == 200
    assert reporter_client.post("/api/v1/visits/", {**sent, "followup_of": None}, format="json").status_code == 409


def test_a_discrepancy_the_reporter_cannot_see_does_not_exist_for_them(other_reporter_client, asked):
    response = other_reporter_client.post("/api/v1/visits/", body(asked), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"followup_of"}
    assert "does not exist" in response.json()["errors"]["followup_of"][0]
    assert not Visit.objects.filter(followup_of=asked).exists()


def test_unknown_or_malformed_discrepancy_is_400(reporter_client, asked):
    for value in (10**9, "abc", {"id": 1}):
        response = reporter_client.post("/api/v1/visits/", body(asked, followup_of=value), format="json")
        assert response.status_code == 400, value
        assert set(response.json()["errors"]) == {"followup_of"}


def test_follow_up_visit_is_at_the_discrepancy_site(reporter_client, asked):
    elsewhere = SiteFactory()
    response = reporter_client.post("/api/v1/visits/", body(asked, site=elsewhere.pk), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"followup_of": ["This discrepancy is about another site than the visit's."]}
    assert not Visit.objects.filter(site=elsewhere).exists()


def test_editor_and_admin_may_file_an_answer_to_any_discrepancy(editor_client, admin_client_api, asked):
    for client in (editor_client, admin_client_api):
        response = client.post("/api/v1/visits/", body(asked), format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["followup_of"] == asked.pk


def test_followup_of_is_set_and_cleared_by_an_edit(reporter_client, asked):
    sent = body(asked, followup_of=None)
    assert reporter_client.post("/api/v1/visits/", sent, format="json").status_code == 201
    url = f"/api/v1/visits/{sent['id']}/"
    response = reporter_client.patch(url, {"followup_of": asked.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert Visit.objects.get(pk=sent["id"]).followup_of_id == asked.pk
    # Moving the visit to another site while it answers this discrepancy is refused.
    moved = reporter_client.patch(url, {"site": SiteFactory().pk}, format="json")
    assert moved.status_code == 400 and set(moved.json()["errors"]) == {"followup_of"}
    assert reporter_client.patch(url, {"followup_of": None}, format="json").json()["followup_of"] is None


# --- The loop: a request goes out, a visit answers it, the discrepancy comes back -------------------

def ask(editor_client, discrepancy, committed, note="Count the cars at the 14:00 shift change."):
    with committed():
        response = editor_client.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/",
                                      {"status": "needs_followup", "note": note}, format="json")
    assert response.status_code == 200, response.json()


def test_reporter_sees_their_open_follow_up_requests(reporter_client, other_reporter_client, exporter_client,
                                                    editor_client, committed, asked):
    ask(editor_client, asked, committed)
    [request] = reporter_client.get("/api/v1/followups/").json()["results"]
    assert (request["discrepancy"], request["site"], request["site_name"]) == (
        asked.pk, asked.site_id, "Hengda PV Glass, Phase 1")
    assert request["note"] == "Count the cars at the 14:00 shift change."
    assert request["metric"] == "headcount" and request["observed"]["low"] == 600.0
    assert request["answered_at"] is None and request["waiting_seconds"] >= 0
    assert request["requested_at"] is not None
    # Only the reporters whose evidence it rests on; exporters never.
    assert other_reporter_client.get("/api/v1/followups/").json()["results"] == []
    assert exporter_client.get("/api/v1/followups/").json()["results"] == []


def test_follow_up_visit_comes_back_to_the_discrepancy_and_its_assignee(
        reporter_client, editor_client, editor, committed, asked):
    from surveys.models import OutboxEvent
    from surveys.services.desk import discrepancy_assign
    from surveys.services.visit_processing import visit_process

    discrepancy_assign(discrepancy=asked, assignee=editor, actor=editor)
    ask(editor_client, asked, committed)
    assert editor_client.get("/api/v1/discrepancies/?new_evidence=true").json()["results"] == []
    sent = body(asked, notes="A guard said only about 300 people work here now.")
    with committed():
        assert reporter_client.post("/api/v1/visits/", sent, format="json").status_code == 201

    detail = editor_client.get(f"/api/v1/discrepancies/{asked.pk}/").json()
    assert detail["status"] == "needs_followup"  # the editor decides; the system never does
    assert detail["followup_arrived_at"] is not None
    assert [f["visit"] for f in detail["followups"]] == [sent["id"]]
    # Its evidence is on the discrepancy at once, beside what the request was made on.
    new = Observation.objects.get(visit_id=sent["id"])
    assert detail["new_evidence"] == [str(new.pk)]
    assert detail["observed"]["low"] == 600.0
    assert detail["since_decision"]["changed"]["observed"]["latest"]["low"] == 300.0
    # Back in the queue (under "new evidence") and with its assignee.
    queue = editor_client.get("/api/v1/discrepancies/?new_evidence=true&assignee=editor-one").json()["results"]
    assert [d["id"] for d in queue] == [asked.pk]
    answered = OutboxEvent.objects.filter(event="followup.answered", object_id=str(asked.pk))
    assert answered.count() == 1
    # Reprocessing the visit flags and tells nobody twice.
    visit = Visit.objects.get(pk=sent["id"])
    Visit.objects.filter(pk=visit.pk).update(processing="pending")
    with committed():
        visit_process(visit_id=visit.pk, revision=visit.revision)
    assert answered.count() == 1
    assert AuditEvent.objects.filter(action="discrepancy.followup_arrived", object_id=str(asked.pk)).count() == 1

    # The request is answered: reporters and editors see it so.
    [request] = reporter_client.get("/api/v1/followups/").json()["results"]
    assert request["answered_at"] is not None and request["waiting_seconds"] is None
    assert editor_client.get("/api/v1/followups/?answered=false").json()["results"] == []
    # Deciding again clears the flag and takes it out of the "new evidence" queue.
    with committed():
        editor_client.post(f"/api/v1/discrepancies/{asked.pk}/review/", {"status": "confirmed"}, format="json")
    assert Discrepancy.objects.get(pk=asked.pk).followup_arrived_at is None
    assert editor_client.get("/api/v1/discrepancies/?new_evidence=true").json()["results"] == []


def test_a_follow_up_with_nothing_new_still_comes_back(reporter_client, editor_client, committed, asked):
    ask(editor_client, asked, committed)
    with committed():
        assert reporter_client.post("/api/v1/visits/", body(asked, notes="Gate closed, nobody to ask."),
                                    format="json").status_code == 201
    queue = editor_client.get("/api/v1/discrepancies/?new_evidence=true").json()["results"]
    assert [d["id"] for d in queue] == [asked.pk]
    assert queue[0]["new_evidence"] == [] and queue[0]["followup_arrived_at"] is not None


def test_editors_see_unanswered_requests_and_for_how_long(editor_client, reporter_client, committed, asked):
    import datetime as dt

    ask(editor_client, asked, committed)
    Discrepancy.objects.filter(pk=asked.pk).update(reviewed_at=F("reviewed_at") - dt.timedelta(days=3))
    [waiting] = editor_client.get("/api/v1/followups/?answered=false").json()["results"]
    assert waiting["discrepancy"] == asked.pk and waiting["waiting_seconds"] >= 3 * 86400
    assert editor_client.get("/api/v1/followups/?answered=true").json()["results"] == []
    assert editor_client.get("/api/v1/followups/?answered=maybe").status_code == 400


def test_a_visit_filed_before_the_request_does_not_answer_it(reporter_client, editor_client, committed, asked):
    with committed():
        assert reporter_client.post("/api/v1/visits/", body(asked), format="json").status_code == 201
    ask(editor_client, asked, committed)
    [request] = reporter_client.get("/api/v1/followups/").json()["results"]
    assert request["answered_at"] is None
    assert Discrepancy.objects.get(pk=asked.pk).followup_arrived_at is None
