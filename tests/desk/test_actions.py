"""Link proposals, site verification, photo approval and observation rejection, through the API."""
import pytest

from surveys.models import AuditEvent, LinkProposal, Photo, Site
from tests.desk.conftest import make_photo
from tests.factories import OrganizationFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(db):
    site = SiteFactory(name="Hengda Glass", aliases=[])
    twin = SiteFactory(name="Hengda PV Glass", aliases=["恒达玻璃"])
    organization = OrganizationFactory(name="Hengda Group")
    return {
        "site": site, "twin": twin, "organization": organization,
        "to_site": LinkProposal.objects.create(site=site, candidate_site=twin, score=91.0, site_name=site.name,
                                               candidate_name=twin.name),
        "to_org": LinkProposal.objects.create(site=site, candidate_organization=organization, score=88.0,
                                              site_name=site.name, candidate_name=organization.name),
    }


def test_editor_lists_pending_proposals_best_first(editor_client, proposals):
    body = editor_client.get("/api/v1/link-proposals/").json()
    assert [row["id"] for row in body["results"]] == [proposals["to_site"].pk, proposals["to_org"].pk]


def test_accepting_an_organization_links_the_site(editor_client, editor, proposals):
    response = editor_client.post(f"/api/v1/link-proposals/{proposals['to_org'].pk}/decide/",
                                  {"decision": "accepted"}, format="json")
    assert response.status_code == 200
    assert response.json()["decision"] == "accepted"
    proposals["site"].refresh_from_db()
    assert proposals["site"].organization == proposals["organization"]
    event = AuditEvent.objects.get(action="linkproposal.accepted")
    assert event.actor == editor
    assert event.changes["site.organization"] == [None, proposals["organization"].pk]


def test_accepting_a_site_pair_merges_the_duplicate_into_the_candidate(editor_client, proposals):
    editor_client.post(f"/api/v1/link-proposals/{proposals['to_site'].pk}/decide/", {"decision": "accepted"},
                       format="json")
    proposals["site"].refresh_from_db()
    proposals["twin"].refresh_from_db()
    assert proposals["site"].merged_into_id == proposals["twin"].pk
    assert proposals["twin"].aliases == ["恒达玻璃", "Hengda Glass"]
    # Its open proposal is the canonical site's now (docs/evidence.md, site merge).
    assert LinkProposal.objects.get(pk=proposals["to_org"].pk).site_id == proposals["twin"].pk


def test_rejecting_changes_nothing_but_the_decision_and_cannot_be_repeated(editor_client, proposals):
    url = f"/api/v1/link-proposals/{proposals['to_org'].pk}/decide/"
    assert editor_client.post(url, {"decision": "rejected"}, format="json").status_code == 200
    proposals["site"].refresh_from_db()
    assert proposals["site"].organization is None
    again = editor_client.post(url, {"decision": "accepted"}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"]["decision"] == ["This proposal has already been decided."]
    assert editor_client.post(url, {"decision": "maybe"}, format="json").status_code == 400


def test_reporters_cannot_see_or_decide_proposals(reporter_client, proposals):
    assert reporter_client.get("/api/v1/link-proposals/").status_code == 403
    url = f"/api/v1/link-proposals/{proposals['to_org'].pk}/decide/"
    assert reporter_client.post(url, {"decision": "accepted"}, format="json").status_code == 403


def test_editor_verifies_a_proposed_site_once(editor_client, reporter):
    site = SiteFactory(verified=False, proposed_by=reporter)
    response = editor_client.post(f"/api/v1/sites/{site.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["verified"] is True
    editor_client.post(f"/api/v1/sites/{site.pk}/verify/")
    assert AuditEvent.objects.filter(action="site.verify", object_id=str(site.pk)).count() == 1
    assert Site.objects.get(pk=site.pk).verified


def test_reporter_cannot_verify(reporter_client):
    site = SiteFactory(verified=False)
    assert reporter_client.post(f"/api/v1/sites/{site.pk}/verify/").status_code == 403


def test_photo_approval_and_withdrawal_are_audited(editor_client, editor):
    photo = make_photo(VisitFactory())
    response = editor_client.post(f"/api/v1/photos/{photo.pk}/approve/", {"approved": True}, format="json")
    assert response.status_code == 200
    assert response.json()["approved_at"] is not None
    photo.refresh_from_db()
    assert photo.approved_by == editor
    editor_client.post(f"/api/v1/photos/{photo.pk}/approve/", {"approved": False}, format="json")
    assert Photo.objects.get(pk=photo.pk).approved_at is None
    actions = list(AuditEvent.objects.filter(object_id=str(photo.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["photo.approve", "photo.unapprove"]


def test_unprocessed_photo_cannot_be_approved(editor_client):
    photo = make_photo(VisitFactory())
    Photo.objects.filter(pk=photo.pk).update(status="pending")
    response = editor_client.post(f"/api/v1/photos/{photo.pk}/approve/", {"approved": True}, format="json")
    assert response.status_code == 400
    assert "approved" in response.json()["errors"]


def test_original_access_is_audited_and_reporters_cannot_approve(editor_client, reporter_client, reporter):
    photo = make_photo(VisitFactory(reporter=reporter))
    assert editor_client.get(f"/api/v1/photos/{photo.pk}/file/?variant=original").status_code == 200
    assert AuditEvent.objects.filter(action="photo.original_access", object_id=str(photo.pk)).exists()
    response = reporter_client.post(f"/api/v1/photos/{photo.pk}/approve/", {"approved": True}, format="json")
    assert response.status_code == 403


def test_rejecting_an_observation_is_audited_and_rematches(editor_client, hengda, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    from surveys import tasks

    matched = []
    monkeypatch.setattr(tasks.match_site, "apply_async", lambda args, kwargs: matched.append(args[0]))
    observation = hengda["observation"]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.patch(f"/api/v1/observations/{observation.pk}/", {"rejected": True}, format="json")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="observation.reject", object_id=str(observation.pk)).exists()
    assert hengda["site"].pk in matched
