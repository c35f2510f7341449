"""Decisions keep their evidence: a decided discrepancy shows its snapshot, new evidence goes beside it.

The product doc's headcount example (600-700 seen against 2,500 claimed, dismissed; a later visit says
about 300) and the Sichuan-like battery plant (marked idle past its due date, confirmed; a later visit
marks it operating).
"""
import csv
import io
import json
import uuid

import pytest

from surveys.models import AuditEvent, Discrepancy, DiscrepancyDecision, Observation
from surveys.services.desk import discrepancy_decide, discrepancy_review_undo
from surveys.services.matching import site_rematch
from tests.desk.conftest import make_photo
from tests.factories import ClaimFactory, SiteFactory
from tests.matching.conftest import sichuan_visit

pytestmark = pytest.mark.django_db


def visit_body(site, notes, *, day=14, **overrides):
    return {"id": str(uuid.uuid4()), "site": site.pk, "started_at": f"2025-10-{day:02d}T14:05:00+08:00",
            "notes": notes, **overrides}


def post_visit(client, committed, body):
    with committed():
        response = client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def plant(committed):
    site = SiteFactory(name="Hengda PV Glass, Phase 1")
    with committed():
        ClaimFactory(site=site, text="The plant will employ 2,500 people after reaching full production.")
        site_rematch(site_id=site.pk)
    return site


@pytest.fixture
def dismissed(reporter_client, editor_client, committed, plant):
    """600-700 seen at the canteen, photographed, and dismissed by an editor."""
    first = post_visit(reporter_client, committed, visit_body(
        plant, "A worker at the canteen said about 600-700 people work here."))
    photo = make_photo(Observation.objects.get(visit_id=first["id"]).visit)
    discrepancy = Discrepancy.objects.get(site=plant)
    with committed():
        response = editor_client.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/",
                                      {"status": "dismissed", "note": "A shift, not the workforce."}, format="json")
    assert response.status_code == 200, response.json()
    return discrepancy, first, photo


def detail(client, discrepancy):
    response = client.get(f"/api/v1/discrepancies/{discrepancy.pk}/")
    assert response.status_code == 200
    return response.json()


def test_the_review_records_a_snapshot_of_what_the_editor_saw(editor_client, dismissed):
    discrepancy, first, photo = dismissed
    decision = DiscrepancyDecision.objects.get(discrepancy=discrepancy)
    assert (decision.status, decision.note, decision.reviewer.username) == (
        "dismissed", "A shift, not the workforce.", "editor-one")
    assert decision.observed == {"low": 600.0, "high": 700.0, "unit": "person", "status_value": None}
    assert decision.claimed["low"] == 2500.0 and decision.ratio == pytest.approx(0.26)
    assert decision.severity == "medium"  # a target claim lowers the severity
    assert decision.observation_ids == [str(Observation.objects.get(visit_id=first["id"]).pk)]
    assert decision.photo_ids == [str(photo.pk)]
    assert "600" in decision.explanation
    assert Discrepancy.objects.get(pk=discrepancy.pk).decision_id == decision.pk
    event = AuditEvent.objects.get(action="discrepancy.review", object_id=str(discrepancy.pk))
    assert event.changes["snapshot"] == decision.pk
    body = detail(editor_client, discrepancy)
    assert (body["decision"], body["new_evidence"], body["since_decision"]) == (decision.pk, [], None)


def test_later_visit_never_rewrites_the_dismissed_discrepancy(reporter_client, editor_client, committed, dismissed):
    discrepancy, first, photo = dismissed
    later = post_visit(reporter_client, committed, visit_body(
        discrepancy.site, "A guard said only about 300 people work here now.", day=28))
    make_photo(Observation.objects.get(visit_id=later["id"]).visit)  # a photo of the new visit
    make_photo(photo.visit)  # and a later upload to the decided visit

    body = detail(editor_client, discrepancy)
    # The decided snapshot...
    assert body["status"] == "dismissed"
    assert (body["observed"]["low"], body["observed"]["high"], body["ratio"]) == (600.0, 700.0, pytest.approx(0.26))
    assert body["observations"] == [str(Observation.objects.get(visit_id=first["id"]).pk)]
    assert body["photos"] == [str(photo.pk)]
    assert "600" in body["explanation"]
    # ...and beside it, the new evidence: what changed, when, from which visit.
    new = Observation.objects.get(visit_id=later["id"])
    assert body["new_evidence"] == [str(new.pk)]
    assert [o["side"] for o in body["evidence"]["new_evidence"]] == ["new"]
    since = body["since_decision"]
    assert since["visits"] == [later["id"]] and since["observed_visit"] == later["id"]
    assert since["changed"]["observed"] == {
        "decided": {"low": 600.0, "high": 700.0, "unit": "person", "status_value": None},
        "latest": {"low": 300.0, "high": 300.0, "unit": "person", "status_value": None}}
    assert since["changed"]["ratio"] == {"decided": pytest.approx(0.26), "latest": pytest.approx(0.12)}
    assert since["at"] == body["new_evidence_at"] is not None and not since["resolved"]

    # It is back in the editors' queue under "new evidence", and only there.
    listed = editor_client.get("/api/v1/discrepancies/?new_evidence=true").json()["results"]
    assert [d["id"] for d in listed] == [discrepancy.pk]
    assert editor_client.get("/api/v1/discrepancies/?status=open").json()["results"] == []


def test_an_open_discrepancy_follows_the_latest_evidence(reporter_client, editor_client, committed, plant):
    post_visit(reporter_client, committed, visit_body(plant, "A worker said about 600-700 people work here."))
    post_visit(reporter_client, committed, visit_body(plant, "A guard said only about 300 people work here.", day=28))
    body = detail(editor_client, Discrepancy.objects.get(site=plant))
    assert (body["status"], body["observed"]["low"], body["new_evidence"]) == ("open", 300.0, [])
    assert editor_client.get("/api/v1/discrepancies/?new_evidence=true").json()["results"] == []


def test_deciding_again_decides_on_the_latest_and_the_history_keeps_both(
        reporter_client, editor_client, committed, dismissed):
    discrepancy, first, _ = dismissed
    post_visit(reporter_client, committed, visit_body(discrepancy.site, "A guard said about 300 people work here.",
                                                      day=28))
    with committed():
        response = editor_client.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/",
                                      {"status": "confirmed", "note": "Two visits now."}, format="json")
    body = response.json()
    assert (body["status"], body["observed"]["low"], body["ratio"]) == ("confirmed", 300.0, pytest.approx(0.12))
    assert (body["new_evidence"], body["since_decision"], body["new_evidence_at"]) == ([], None, None)
    assert editor_client.get("/api/v1/discrepancies/?new_evidence=true").json()["results"] == []

    history = editor_client.get(f"/api/v1/discrepancies/{discrepancy.pk}/decisions/").json()["results"]
    assert [(d["status"], d["observed"]["low"], d["note"]) for d in history] == [
        ("confirmed", 300.0, "Two visits now."), ("dismissed", 600.0, "A shift, not the workforce.")]
    assert len(history[0]["observation_ids"]) == 2 and len(history[1]["observation_ids"]) == 1


def test_review_history_is_for_editors(reporter_client, exporter_client, dismissed):
    discrepancy, _, _ = dismissed
    assert reporter_client.get(f"/api/v1/discrepancies/{discrepancy.pk}/decisions/").status_code == 403
    assert exporter_client.get(f"/api/v1/discrepancies/{discrepancy.pk}/decisions/").status_code == 404


def test_exports_and_claimreview_publish_the_decided_snapshot(reporter_client, editor_client, exporter_client,
                                                             committed, plant):
    post_visit(reporter_client, committed, visit_body(plant, "A worker said about 600-700 people work here."))
    discrepancy = Discrepancy.objects.get(site=plant)
    with committed():
        editor_client.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/", {"status": "confirmed"}, format="json")
    decided_explanation = Discrepancy.objects.get(pk=discrepancy.pk).explanation
    post_visit(reporter_client, committed, visit_body(plant, "A guard said only about 300 people work here.", day=28))
    assert Discrepancy.objects.get(pk=discrepancy.pk).latest["ratio"] == pytest.approx(0.12)

    for client in (editor_client, exporter_client):
        [row] = csv.DictReader(io.StringIO(read(client.get("/api/v1/exports/discrepancies.csv")).decode()))
        assert (row["observed_low"], row["observed_high"], row["ratio"], row["status"]) == (
            "600", "700", "0.26", "confirmed")
        [review] = json.loads(read(client.get("/api/v1/exports/claimreview.jsonld")))["@graph"]
        assert review["reviewBody"] == decided_explanation
    # The exporter reads what was decided, never what arrived since.
    body = detail(exporter_client, discrepancy)
    assert (body["observed"]["low"], body["new_evidence"], body["since_decision"]) == (600.0, [], None)


def test_sichuan_plant_confirmed_idle_then_marked_operating(reporter_client, editor_client, committed,
                                                            battery_plant):
    post_visit(reporter_client, committed, sichuan_visit(battery_plant))
    discrepancy = Discrepancy.objects.get(site=battery_plant)
    assert (discrepancy.kind, discrepancy.severity) == ("timeline", "high")
    with committed():
        editor_client.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/", {"status": "confirmed"}, format="json")
    later = post_visit(reporter_client, committed, sichuan_visit(
        battery_plant, started_at="2025-11-20T10:00:00+08:00", observed_status="operating", activity_level=3,
        activity_signs=["trucks loading"], notes="Trucks loading at the dock, the line is running."))

    body = detail(editor_client, discrepancy)
    assert (body["status"], body["kind"], body["severity"], body["observed"]["status_value"]) == (
        "confirmed", "timeline", "high", "idle")
    mark = Observation.objects.get(visit_id=later["id"], method="reporter")
    assert str(mark.pk) in body["new_evidence"]
    assert body["since_decision"]["resolved"] is True  # the latest evidence no longer contradicts the claim
    assert body["since_decision"]["visits"] == [later["id"]]
    assert [d["id"] for d in editor_client.get("/api/v1/discrepancies/?new_evidence=true").json()["results"]] == [
        discrepancy.pk]


def test_undoing_a_decision_puts_back_the_one_before_and_keeps_it_in_the_history(
        reporter_client, editor, committed, dismissed):
    discrepancy, _, _ = dismissed
    post_visit(reporter_client, committed, visit_body(discrepancy.site, "A guard said about 300 people work here.",
                                                      day=28))
    with committed():
        decision = discrepancy_decide(discrepancy=discrepancy, reviewer=editor, status="confirmed")
    assert Discrepancy.objects.get(pk=discrepancy.pk).observed["low"] == 300.0
    with committed():
        undone = discrepancy_review_undo(discrepancy=discrepancy, actor=editor, event_id=decision.event_id,
                                         before=decision.before)
    assert undone.status == "dismissed"
    undone.refresh_from_db()
    assert undone.observed["low"] == 600.0 and undone.decision.status == "dismissed"
    # The 300 is new evidence again, measured against the decision back in force.
    assert undone.latest["observed"]["low"] == 300.0 and undone.new_evidence_at is not None
    assert DiscrepancyDecision.objects.filter(discrepancy=discrepancy, undone_at__isnull=False).count() == 1
    assert DiscrepancyDecision.objects.filter(discrepancy=discrepancy).count() == 2
