"""Nobody goes around the audit: evidence a decided discrepancy rests on (issue 11.6, issue 18).

A reporter deleting or changing it gets 409 with the reason; an editor may, and the change is audited
with the content it replaced; evidence nothing decided rests on goes as before, audited.
"""
import pytest

from surveys.models import AuditEvent, Discrepancy, Observation, Photo, Visit
from surveys.services.matching import site_rematch
from surveys.services.review import discrepancy_review
from tests.desk.conftest import make_photo
from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(reporter, committed):
    """The headcount example: 600-700 at the reporter's visit, with a photo, against 2,500 claimed."""
    site = SiteFactory(name="Hengda PV Glass, Phase 1")
    ClaimFactory(site=site)
    visit = VisitFactory(site=site, reporter=reporter, notes="A worker said about 600-700 people work here.")
    observation = ObservationFactory(visit=visit, quote="about 600-700 people")
    photo = make_photo(visit)
    site_rematch(site_id=site.pk)
    return visit, observation, photo, Discrepancy.objects.get(site=site)


@pytest.fixture
def decided(evidence, editor):
    visit, observation, photo, discrepancy = evidence
    discrepancy_review(discrepancy=discrepancy, reviewer=editor, status="confirmed", note="Seen twice.")
    return evidence


def assert_refused(response, discrepancy):
    assert response.status_code == 409, response.content
    body = response.json()
    assert "decided discrepancy rests on this evidence" in body["detail"]
    assert body["discrepancies"] == [discrepancy.pk]


def test_reporter_cannot_delete_a_visit_a_decision_rests_on(reporter_client, committed, decided):
    visit, observation, photo, discrepancy = decided
    with committed():
        assert_refused(reporter_client.delete(f"/api/v1/visits/{visit.pk}/"), discrepancy)
    assert Visit.objects.filter(pk=visit.pk).exists() and Observation.objects.filter(pk=observation.pk).exists()
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert not AuditEvent.objects.filter(action="visit.delete").exists()
    assert Discrepancy.objects.get(pk=discrepancy.pk).observations.get() == observation


def test_reporter_cannot_edit_that_visit_or_its_observation(reporter_client, committed, decided):
    visit, observation, _, discrepancy = decided
    with committed():
        assert_refused(reporter_client.patch(f"/api/v1/visits/{visit.pk}/", {"notes": "Nobody here."},
                                             format="json"), discrepancy)
        assert_refused(reporter_client.patch(f"/api/v1/observations/{observation.pk}/", {"low": 2400, "high": 2500},
                                             format="json"), discrepancy)
        assert_refused(reporter_client.delete(f"/api/v1/observations/{observation.pk}/"), discrepancy)
    assert Visit.objects.get(pk=visit.pk).notes.startswith("A worker said")
    assert Observation.objects.get(pk=observation.pk).low == 600
    # Sending what it already says changes nothing, so it is not refused (a phone's blind retry).
    with committed():
        assert reporter_client.patch(f"/api/v1/visits/{visit.pk}/", {"notes": visit.notes},
                                     format="json").status_code == 200


def test_reporter_cannot_delete_a_photo_the_decision_was_made_with(reporter_client, committed, decided):
    visit, _, photo, discrepancy = decided
    assert_refused(reporter_client.delete(f"/api/v1/photos/{photo.pk}/"), discrepancy)
    assert Photo.objects.filter(pk=photo.pk).exists()
    later = make_photo(visit)  # uploaded after the decision: not what it was made on
    assert reporter_client.delete(f"/api/v1/photos/{later.pk}/").status_code == 204
    assert AuditEvent.objects.get(action="photo.delete").changes["rests_on"] == []


def test_evidence_of_an_open_discrepancy_goes_as_before_and_is_audited(reporter_client, committed, evidence):
    visit, observation, _, discrepancy = evidence
    with committed():
        assert reporter_client.delete(f"/api/v1/visits/{visit.pk}/").status_code == 204
    event = AuditEvent.objects.get(action="visit.delete", object_id=str(visit.pk))
    assert event.changes["rests_on"] == []
    assert event.changes["before"]["observations"][str(observation.pk)]["low"] == 600
    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "resolved"


def test_editor_deletion_is_kept_in_the_audit_with_what_it_held(editor_client, committed, decided):
    visit, observation, photo, discrepancy = decided
    with committed():
        assert editor_client.delete(f"/api/v1/visits/{visit.pk}/").status_code == 204
    event = AuditEvent.objects.get(action="visit.delete", object_id=str(visit.pk))
    assert event.actor.username == "editor-one" and event.changes["rests_on"] == [discrepancy.pk]
    before = event.changes["before"]
    assert before["notes"].startswith("A worker said") and before["reporter_id"] == visit.reporter_id
    assert before["observations"][str(observation.pk)]["quote"] == "about 600-700 people"
    assert before["photos"][str(photo.pk)]["sha256"] == photo.sha256
    # The decision stands, with its snapshot.
    decided_now = Discrepancy.objects.get(pk=discrepancy.pk)
    assert decided_now.status == "confirmed" and decided_now.decision.observation_ids == [str(observation.pk)]


def test_editor_edit_of_resting_evidence_is_audited(editor_client, committed, decided):
    _, observation, _, discrepancy = decided
    with committed():
        response = editor_client.patch(f"/api/v1/observations/{observation.pk}/", {"low": 650, "high": 650},
                                       format="json")
    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get(action="observation.edit", object_id=str(observation.pk))
    assert event.changes["before"]["low"] == 600 and event.changes["after"] == {"low": 650, "high": 650}
    assert event.changes["rests_on"] == [discrepancy.pk]
