"""`Visit.followup_of`: a visit answering an editor's follow-up request, through the JSON API."""
import uuid

import pytest

from surveys.models import Discrepancy, Visit
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
