"""Accepting a site-to-site link proposal merges the reporter's duplicate into the canonical site."""
import uuid

import pytest

from surveys.models import AuditEvent, Claim, Discrepancy, LinkProposal, Photo, Site, Tombstone, Visit
from surveys.services.desk import link_proposal_decide
from surveys.services.matching import site_rematch
from tests.desk.conftest import make_photo
from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(reporter, committed):
    """The verified Hengda plant (a claim of 2,500 people, a visit) and a reporter's unverified duplicate
    under its Chinese name, with two visits, photos, a claim of its own and an open proposal of its own."""
    canonical = SiteFactory(name="Hengda PV Glass, Phase 1", aliases=["Hengda Phase 1"], verified=True)
    ClaimFactory(site=canonical)
    VisitFactory(site=canonical, reporter=reporter)
    duplicate = SiteFactory(name="恒达光伏玻璃一期", verified=False, proposed_by=reporter)
    visits = [VisitFactory(site=duplicate, reporter=reporter) for _ in range(2)]
    ObservationFactory(visit=visits[0], low=600, high=700)
    photos = [make_photo(visit) for visit in visits for _ in range(2)]
    own_claim = ClaimFactory(site=duplicate, metric="enterprises", low=150, high=None, unit="enterprise",
                             qualifier="at_least", text="More than 150 enterprises have settled.")
    ObservationFactory(visit=visits[1], metric="enterprises", low=24, high=99, unit="enterprise")
    site_rematch(site_id=duplicate.pk)
    elsewhere = SiteFactory(name="Hengda Phase 2")
    open_proposal = LinkProposal.objects.create(site=duplicate, candidate_site=elsewhere, score=70,
                                                site_name=duplicate.name, candidate_name=elsewhere.name)
    proposal = LinkProposal.objects.create(site=duplicate, candidate_site=canonical, score=100,
                                           site_name=duplicate.name, candidate_name=canonical.name)
    return {"canonical": canonical, "duplicate": duplicate, "visits": visits, "photos": photos,
            "own_claim": own_claim, "open_proposal": open_proposal, "proposal": proposal}


def accept(editor_client, committed, proposal):
    with committed():
        response = editor_client.post(f"/api/v1/link-proposals/{proposal.pk}/decide/", {"decision": "accepted"},
                                      format="json")
    assert response.status_code == 200, response.json()


def test_merging_keeps_every_visit_photo_and_claim(editor_client, committed, pair):
    canonical, duplicate = pair["canonical"], pair["duplicate"]
    before_visits = Visit.objects.count()
    before_photos = Photo.objects.count()
    accept(editor_client, committed, pair["proposal"])

    assert Visit.objects.count() == before_visits and Photo.objects.count() == before_photos  # nothing lost
    assert set(Visit.objects.filter(site=canonical).values_list("pk", flat=True)) >= {v.pk for v in pair["visits"]}
    assert not Visit.objects.filter(site=duplicate).exists()
    assert Photo.objects.filter(visit__site=canonical).count() == len(pair["photos"])
    assert Claim.objects.get(pk=pair["own_claim"].pk).site_id == canonical.pk
    canonical.refresh_from_db()
    assert "恒达光伏玻璃一期" in canonical.aliases and "Hengda Phase 1" in canonical.aliases
    assert Site.objects.get(pk=duplicate.pk).merged_into_id == canonical.pk
    assert LinkProposal.objects.get(pk=pair["open_proposal"].pk).site_id == canonical.pk  # open proposals move
    # Re-matched: the duplicate's evidence now speaks against the canonical site's claims.
    headcount = Discrepancy.objects.get(site=canonical, metric="headcount")
    assert headcount.observations.filter(visit__in=pair["visits"]).exists()
    assert Discrepancy.objects.get(site=canonical, claim=pair["own_claim"]).metric == "enterprises"
    assert not Discrepancy.objects.filter(site=duplicate).exists()
    event = AuditEvent.objects.get(action="site.merge", object_id=str(canonical.pk))
    assert sorted(event.changes["visits"]) == sorted(str(v.pk) for v in pair["visits"])
    assert event.actor.username == "editor-one"
    assert AuditEvent.objects.filter(action="site.merged_into", object_id=str(duplicate.pk)).exists()


def test_search_finds_one_site_and_the_duplicate_id_points_to_it(editor_client, reporter_client, committed, pair):
    canonical, duplicate = pair["canonical"], pair["duplicate"]
    accept(editor_client, committed, pair["proposal"])
    for term in ("恒达", "Hengda PV"):
        found = [s["id"] for s in reporter_client.get(f"/api/v1/sites/?search={term}").json()["results"]]
        assert found == [canonical.pk], term
    response = reporter_client.get(f"/api/v1/sites/{duplicate.pk}/")
    assert response.status_code == 301
    assert response.json()["merged_into"] == canonical.pk
    assert response["Location"].endswith(f"/api/v1/sites/{canonical.pk}/")
    assert Tombstone.objects.filter(model="site", object_id=str(duplicate.pk)).exists()  # phones drop it
    assert editor_client.patch(f"/api/v1/sites/{duplicate.pk}/", {"name": "x"}, format="json").status_code == 409


def test_a_visit_filed_later_under_the_duplicate_goes_to_the_canonical_site(editor_client, reporter_client,
                                                                          committed, pair):
    accept(editor_client, committed, pair["proposal"])
    body = {"id": str(uuid.uuid4()), "site": pair["duplicate"].pk, "started_at": "2025-10-20T10:00:00+08:00"}
    with committed():
        response = reporter_client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["site"] == pair["canonical"].pk


def test_a_decided_discrepancy_of_the_duplicate_is_kept(editor_client, editor, committed, pair):
    from surveys.services.review import discrepancy_review

    canonical, duplicate = pair["canonical"], pair["duplicate"]
    # An organization-wide claim gives both sites a discrepancy for one claim: they cannot both move.
    from tests.factories import OrganizationFactory

    group = OrganizationFactory()
    Site.objects.filter(pk__in=[canonical.pk, duplicate.pk]).update(organization=group)
    ClaimFactory(site=None, organization=group, low=5000, high=5000, text="The group employs 5,000 here.")
    ObservationFactory(visit=VisitFactory(site=canonical))
    site_rematch(site_id=canonical.pk)
    site_rematch(site_id=duplicate.pk)
    decided = Discrepancy.objects.get(site=duplicate, claim__organization=group)
    discrepancy_review(discrepancy=decided, reviewer=editor, status="confirmed")
    accept(editor_client, committed, pair["proposal"])
    kept = Discrepancy.objects.get(pk=decided.pk)
    assert (kept.status, kept.site_id) == ("confirmed", duplicate.pk)
    assert kept.decision is not None
    event = AuditEvent.objects.get(action="site.merge", object_id=str(canonical.pk))
    assert event.changes["discrepancies_kept_on_duplicate"] == [decided.pk]


def test_the_verified_site_is_the_canonical_one_whichever_side_it_is_on(editor, committed, pair):
    canonical, duplicate = pair["canonical"], pair["duplicate"]
    reverse = LinkProposal.objects.create(site=canonical, candidate_site=duplicate, score=100,
                                          site_name=canonical.name, candidate_name=duplicate.name)
    with committed():
        link_proposal_decide(proposal=reverse, accept=True, actor=editor)
    assert Site.objects.get(pk=duplicate.pk).merged_into_id == canonical.pk
    assert Site.objects.get(pk=canonical.pk).merged_into_id is None
