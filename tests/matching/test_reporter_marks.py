"""The reporter's own marks (observed status; activity 0 with signs of a stopped site) are observations."""
import pytest

from surveys.engine.matching import REPORTER_MARK_CONFIDENCE, reporter_status
from surveys.models import Discrepancy, Observation, Tombstone, Visit
from surveys.services.demo import load_demo
from surveys.services.visit_processing import visit_process
from tests.factories import ClaimFactory, SiteFactory
from tests.matching.conftest import sichuan_visit

pytestmark = pytest.mark.django_db


def post(client, committed, body):
    with committed():
        response = client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    return Visit.objects.get(pk=body["id"])


def marks(visit):
    return list(Observation.objects.filter(visit=visit, method="reporter"))


def test_idle_mark_past_the_due_date_is_a_high_timeline_discrepancy(reporter_client, committed, battery_plant):
    visit = post(reporter_client, committed, sichuan_visit(battery_plant))
    [mark] = marks(visit)
    assert (mark.metric, mark.status_value, mark.extracted, mark.source_role) == ("status", "idle", True, "")
    assert mark.quote == "broken windows; no sign of work"
    extracted = Observation.objects.filter(visit=visit).exclude(method="reporter")
    assert extracted and mark.confidence > max(o.confidence for o in extracted)

    discrepancy = Discrepancy.objects.get(site=battery_plant)
    assert (discrepancy.kind, discrepancy.severity, discrepancy.status) == ("timeline", "high", "open")
    assert discrepancy.observed["status_value"] == "idle"
    assert discrepancy.observed_visit_id == visit.pk
    assert mark in discrepancy.observations.all()
    assert "idle" in discrepancy.explanation and "2025-06-30" in discrepancy.explanation


def test_operating_mark_at_an_operating_claim_gives_no_discrepancy(reporter_client, committed, battery_plant):
    visit = post(reporter_client, committed, sichuan_visit(
        battery_plant, observed_status="operating", activity_level=3, activity_signs=["trucks loading"],
        notes="Trucks loading at the dock."))
    assert [m.status_value for m in marks(visit)] == ["operating"]
    assert not Discrepancy.objects.filter(site=battery_plant).exists()


def test_activity_zero_with_signs_of_a_stopped_site_is_an_idle_mark(reporter_client, committed, battery_plant):
    visit = post(reporter_client, committed, sichuan_visit(battery_plant, observed_status="", notes="",
                                                           activity_signs=["窗户破损", "停产"]))
    assert [m.status_value for m in marks(visit)] == ["idle"]
    assert Discrepancy.objects.get(site=battery_plant).kind == "timeline"


def test_reporter_status_reads_only_marks_and_stopped_signs():
    assert reporter_status("under_construction", 0, ["broken windows"]) == "under_construction"
    assert reporter_status("", 0, ["broken windows"]) == "idle"
    assert reporter_status("", 0, ["shut down years ago"]) == "closed"
    assert reporter_status("", 1, ["broken windows"]) is None  # some activity: not a stopped site
    assert reporter_status("", 0, ["weeds"]) is None  # not started is for the notes to say
    assert reporter_status("", None, []) is None
    assert REPORTER_MARK_CONFIDENCE > 0.9  # the highest confidence extraction gives (extract.py)


def test_the_mark_follows_every_edit_of_the_visit(reporter_client, committed, battery_plant):
    visit = post(reporter_client, committed, sichuan_visit(battery_plant))
    [first] = marks(visit)
    url = f"/api/v1/visits/{visit.pk}/"
    with committed():
        assert reporter_client.patch(url, {"observed_status": "operating", "activity_level": 3}, format="json"
                                     ).status_code == 200
    [edited] = marks(visit)
    assert (edited.pk, edited.status_value) == (first.pk, "operating")
    assert Discrepancy.objects.get(site=battery_plant).status == "resolved"

    with committed():
        reporter_client.patch(url, {"observed_status": "", "activity_level": 2}, format="json")
    assert marks(visit) == []
    assert Tombstone.objects.filter(model="observation", object_id=str(first.pk)).exists()


def test_retries_and_reprocessing_never_duplicate_the_mark(reporter_client, committed, battery_plant):
    body = sichuan_visit(battery_plant)
    visit = post(reporter_client, committed, body)
    with committed():
        assert reporter_client.post("/api/v1/visits/", body, format="json").status_code == 200
    for _ in range(2):  # duplicates delivered while the visit was still pending (a later one is a no-op)
        Visit.objects.filter(pk=visit.pk).update(processing="pending")
        assert visit_process(visit_id=visit.pk, revision=visit.revision) == "done"
    assert len(marks(visit)) == 1
    assert Discrepancy.objects.filter(site=battery_plant).count() == 1


def test_an_editor_rejecting_the_mark_keeps_it_rejected_through_reprocessing(
        reporter_client, editor_client, committed, battery_plant):
    visit = post(reporter_client, committed, sichuan_visit(battery_plant, notes=""))
    [mark] = marks(visit)
    with committed():
        assert editor_client.patch(f"/api/v1/observations/{mark.pk}/", {"rejected": True}, format="json"
                                   ).status_code == 200
    assert Discrepancy.objects.get(site=battery_plant).status == "resolved"
    with committed():
        reporter_client.patch(f"/api/v1/visits/{visit.pk}/", {"activity_signs": ["broken windows"]}, format="json")
    assert Observation.objects.get(pk=mark.pk).rejected


def test_the_mark_is_matched_like_any_observation_against_a_not_yet_due_claim(reporter_client, committed):
    site = SiteFactory()
    with committed():
        ClaimFactory(site=site, metric="status", low=None, high=None, unit="", status_value="under_construction",
                     text="Construction will start this year.", due_date=None)
    post(reporter_client, committed, sichuan_visit(site, observed_status="not_started", notes=""))
    discrepancy = Discrepancy.objects.get(site=site)
    assert (discrepancy.kind, discrepancy.observed["status_value"]) == ("status", "not_started")


def test_demo_marks_are_observations_and_the_three_discrepancies_stand(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo = load_demo(with_users=False)
    phase1, _, phase2 = demo["visits"]
    assert [m.status_value for m in marks(phase1)] == ["operating"]
    assert [m.status_value for m in marks(phase2)] == ["not_started"]
    timeline = Discrepancy.objects.get(metric="status")
    assert (timeline.kind, timeline.severity) == ("timeline", "high")
    assert set(Discrepancy.objects.values_list("metric", flat=True)) == {"enterprises", "headcount", "status"}
    # The observed value is the reporter's mark, the most confident observation of that visit.
    assert timeline.observations.filter(method="reporter").exists()


def test_observation_writes_still_stamp_sync_txid_after_the_method_migration(reporter_client, committed,
                                                                              battery_plant):
    visit = post(reporter_client, committed, sichuan_visit(battery_plant))
    [mark] = marks(visit)
    before = mark.sync_txid
    Observation.objects.filter(pk=mark.pk).update(quote="x")
    assert Observation.objects.get(pk=mark.pk).sync_txid > before > 0
