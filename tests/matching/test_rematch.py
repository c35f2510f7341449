import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Discrepancy, Observation, Visit
from surveys.services.matching import claim_rematch, site_rematch
from surveys.services.review import discrepancy_review
from surveys.services.visits import observation_update, visit_delete
from tests.factories import ClaimFactory, ObservationFactory, OrganizationFactory, SiteFactory

pytestmark = pytest.mark.django_db


def visit_body(site, notes, *, day=14, **overrides):
    return {"id": str(uuid.uuid4()), "site": site.pk, "started_at": f"2025-10-{day:02d}T14:05:00+08:00",
            "notes": notes, **overrides}


@pytest.fixture
def plant(committed, editor):
    site = SiteFactory(name="Hengda PV Glass, Phase 1")
    with committed():
        ClaimFactory(site=site)  # 2,500 people, exact
        site_rematch(site_id=site.pk)
    return site


def post_visit(client, committed, site, notes, **kwargs):
    with committed():
        response = client.post("/api/v1/visits/", visit_body(site, notes, **kwargs), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_visit_notes_contradicting_a_claim_open_one_discrepancy(reporter_client, committed, plant):
    post_visit(reporter_client, committed, plant, "A worker said about 600-700 people work on the day shift.")
    discrepancy = Discrepancy.objects.get(site=plant)
    assert (discrepancy.status, discrepancy.severity, discrepancy.kind) == ("open", "high", "numeric")
    assert discrepancy.ratio == pytest.approx(650 / 2500)
    assert discrepancy.observations.count() == 1


def test_figure_changed_updates_the_same_discrepancy(reporter_client, committed, plant):
    visit = post_visit(reporter_client, committed, plant, "A worker said about 600-700 people work here.")
    observation = Observation.objects.get(visit_id=visit["id"])
    first = Discrepancy.objects.get(site=plant)
    with committed():
        response = reporter_client.post("/api/v1/observations/", {
            "id": str(uuid.uuid4()), "visit": visit["id"], "metric": "headcount", "low": 1400, "high": 1600,
            "method": "counted", "confidence": 0.9}, format="json")
    assert response.status_code == 201, response.json()
    updated = Discrepancy.objects.get(site=plant)
    assert updated.pk == first.pk
    assert (updated.severity, updated.ratio) == ("medium", pytest.approx(0.6))
    assert updated.observed == {"low": 1400.0, "high": 1600.0, "unit": "person", "status_value": None}
    assert set(updated.observations.values_list("pk", flat=True)) >= {observation.pk}

    with committed():
        observation_update(observation=Observation.objects.get(low=1400), values={"low": 300, "high": 350})
    assert Discrepancy.objects.get(pk=first.pk).severity == "high"


def test_evidence_links_follow_the_observations_as_they_come_and_go(plant):
    def linked():
        discrepancy = Discrepancy.objects.get(site=plant)
        return (set(discrepancy.observations.values_list("pk", flat=True)),
                set(discrepancy.supporting.values_list("pk", flat=True)))

    first = ObservationFactory(visit__site=plant, low=600, high=700)
    site_rematch(site_id=plant.pk)
    assert linked() == ({first.pk}, set())
    second = ObservationFactory(visit__site=plant, visit__started_at=first.visit.started_at + dt.timedelta(days=1),
                                low=500, high=550)
    site_rematch(site_id=plant.pk)  # the links only grow
    assert linked() == ({first.pk, second.pk}, set())
    Observation.objects.filter(pk=first.pk).update(rejected=True)
    site_rematch(site_id=plant.pk)  # one link goes
    assert linked() == ({second.pk}, set())
    agreeing = ObservationFactory(visit__site=plant, visit__started_at=first.visit.started_at - dt.timedelta(days=9),
                                  low=2500, high=2500)
    site_rematch(site_id=plant.pk)  # an older visit that agrees with the claim supports it
    assert linked() == ({second.pk}, {agreeing.pk})


def test_new_visit_agreeing_with_the_claim_resolves_an_open_discrepancy(reporter_client, committed, plant):
    post_visit(reporter_client, committed, plant, "A worker said about 600-700 people work here.")
    post_visit(reporter_client, committed, plant, "The HR manager said 2,450 people work here now.", day=20)
    discrepancy = Discrepancy.objects.get(site=plant)
    assert discrepancy.status == "resolved"

    post_visit(reporter_client, committed, plant, "A guard said only about 500 people work here.", day=25)
    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "open"  # the contradiction is back


def test_editor_decision_and_note_survive_every_rematch(reporter_client, committed, plant, editor):
    visit = post_visit(reporter_client, committed, plant, "A worker said about 600-700 people work here.")
    discrepancy = Discrepancy.objects.get(site=plant)
    discrepancy_review(discrepancy=discrepancy, reviewer=editor, status="confirmed", note="Checked twice.")

    observation = Observation.objects.get(visit_id=visit["id"])
    with committed():
        observation_update(observation=observation, values={"low": 1000, "high": 1100}, actor=editor)
    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.review_note) == ("confirmed", "Checked twice.")
    # The decided figures stand; what matching finds now is kept beside them.
    assert discrepancy.ratio == pytest.approx(0.26)
    assert discrepancy.latest["ratio"] == pytest.approx(0.42)

    post_visit(reporter_client, committed, plant, "The HR manager said 2,500 people work here.", day=20)
    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.review_note) == ("confirmed", "Checked twice.")


def test_editor_rejecting_the_extraction_resolves_the_discrepancy(reporter_client, editor_client, committed, plant):
    visit = post_visit(reporter_client, committed, plant, "A guard said about 600-700 people work here.")
    observation = Observation.objects.get(visit_id=visit["id"], extracted=True)
    with committed():
        response = editor_client.patch(f"/api/v1/observations/{observation.pk}/", {"rejected": True}, format="json")
    assert response.status_code == 200, response.json()
    assert Discrepancy.objects.get(site=plant).status == "resolved"

    # Re-processing the edited visit keeps the rejection, so the discrepancy stays resolved.
    with committed():
        reporter_client.patch(f"/api/v1/visits/{visit['id']}/", {"notes": visit["notes"] + " Gate open."},
                              format="json")
    assert Observation.objects.get(pk=observation.pk).rejected
    assert Discrepancy.objects.get(site=plant).status == "resolved"


def test_organization_claim_is_matched_at_each_of_its_sites(committed):
    group = OrganizationFactory(name="Hengda Group")
    glass = OrganizationFactory(name="Hengda PV Glass", parent=group)
    phase1, phase2 = SiteFactory(organization=glass), SiteFactory(organization=glass)
    elsewhere = SiteFactory()
    for site, (low, high) in ((phase1, (600, 700)), (phase2, (100, 200)), (elsewhere, (50, 60))):
        ObservationFactory(visit__site=site, low=low, high=high)
    claim = ClaimFactory(site=None, organization=group, low=2500, high=2500)

    assert claim_rematch(claim_id=claim.pk) == 2
    found = {d.site_id: d for d in Discrepancy.objects.filter(claim=claim)}
    assert set(found) == {phase1.pk, phase2.pk}
    assert found[phase1.pk].ratio == pytest.approx(0.26)
    assert found[phase2.pk].ratio == pytest.approx(0.06)
    # The site-side run agrees and changes nothing.
    site_rematch(site_id=phase2.pk)
    assert Discrepancy.objects.filter(claim=claim).count() == 2


def test_claim_edits_and_moves_rematch_after_commit(editor_client, committed, plant):
    ObservationFactory(visit__site=plant, low=600, high=700)
    claim = plant.claims.get()
    with committed():
        editor_client.patch(f"/api/v1/claims/{claim.pk}/", {"low": 1000, "high": 1000}, format="json")
    assert Discrepancy.objects.get(claim=claim).ratio == pytest.approx(0.65)

    other = SiteFactory()
    with committed():
        response = editor_client.patch(f"/api/v1/claims/{claim.pk}/", {"site": other.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert Discrepancy.objects.get(claim=claim, site=plant).status == "resolved"

    with committed():
        assert editor_client.delete(f"/api/v1/claims/{claim.pk}/").status_code == 204
    assert not Discrepancy.objects.exists()


def test_deleting_or_moving_the_contradicting_visit_resolves(reporter_client, committed, plant):
    visit = post_visit(reporter_client, committed, plant, "A guard said about 600-700 people work here.")
    with committed():
        reporter_client.patch(f"/api/v1/visits/{visit['id']}/", {"site": SiteFactory().pk}, format="json")
    assert Discrepancy.objects.get(site=plant).status == "resolved"

    visit = post_visit(reporter_client, committed, plant, "A guard said about 600-700 people work here.", day=21)
    assert Discrepancy.objects.get(site=plant).status == "open"
    with committed():
        visit_delete(visit=Visit.objects.get(pk=visit["id"]))
    assert Discrepancy.objects.get(site=plant).status == "resolved"


def test_rematch_is_idempotent(committed, plant):
    ObservationFactory(visit__site=plant, low=600, high=700)
    site_rematch(site_id=plant.pk)
    before = list(Discrepancy.objects.values())
    site_rematch(site_id=plant.pk)
    claim_rematch(claim_id=plant.claims.get().pk)
    assert list(Discrepancy.objects.values()) == before


def _site_with(n_claims: int):
    site = SiteFactory(organization=OrganizationFactory(parent=OrganizationFactory()))
    started = dt.datetime(2025, 10, 1, tzinfo=dt.timezone.utc)
    for i in range(n_claims):
        ClaimFactory(site=site, low=2500 + i, high=2500 + i)
        ClaimFactory(site=None, organization=site.organization.parent, metric="enterprises", unit="enterprise",
                     low=150 + i, high=None, qualifier="at_least")
        ObservationFactory(visit__site=site, visit__started_at=started + dt.timedelta(days=i), low=600, high=700)
        ObservationFactory(visit__site=site, visit__started_at=started + dt.timedelta(days=i), metric="enterprises",
                           unit="enterprise", low=24, high=99)
    return site


@pytest.mark.parametrize("run", ["first", "repeat", "changed"])
def test_site_rematch_query_count_does_not_grow_with_claims_or_observations(run):
    counts = []
    for n in (2, 12):  # 12: the evidence links still fit one SQLite insert batch
        site = _site_with(n)
        if run != "first":
            site_rematch(site_id=site.pk)
        if run == "changed":
            Observation.objects.filter(visit__site=site, metric="headcount").update(low=100, high=120)
        with CaptureQueriesContext(connection) as queries:
            site_rematch(site_id=site.pk)
        assert Discrepancy.objects.filter(site=site).count() == 2 * n
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The site with its organization's parent, then the claims and observations; the discrepancies
    # locked, with their three kinds of evidence links in one read; writes only for what changed.
    assert counts[1] <= {"first": 13, "repeat": 8, "changed": 9}[run]


@pytest.mark.django_db(transaction=True)
def test_moving_an_organization_under_a_group_brings_the_group_claims_to_its_sites(editor_client):
    from surveys.models import AuditEvent
    from tests.factories import VisitFactory

    group, company = OrganizationFactory(name="Group"), OrganizationFactory(name="Company")
    site = SiteFactory(organization=company)
    ObservationFactory(visit=VisitFactory(site=site), low=100, high=120)
    ClaimFactory(site=None, organization=group, low=2500, high=2500)
    assert not Discrepancy.objects.exists()
    response = editor_client.patch(f"/api/v1/organizations/{company.pk}/", {"parent": group.pk}, format="json")
    assert response.status_code == 200
    assert Discrepancy.objects.get().site == site
    assert AuditEvent.objects.filter(action="organization.update", object_id=str(company.pk)).exists()
