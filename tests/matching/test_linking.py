import pytest

from surveys.models import Discrepancy, LinkProposal, Site
from surveys.services.linking import site_link
from tests.factories import ClaimFactory, ObservationFactory, OrganizationFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hengda(db):
    glass = OrganizationFactory(name="Hengda PV Glass Co., Ltd.", aliases=["恒达光伏玻璃有限公司", "Hengda Guangfu Boli"])
    return {
        "glass": glass,
        "phase1": SiteFactory(name="Hengda PV Glass, Phase 1", aliases=["恒达光伏玻璃一期"], organization=glass),
        "phase2": SiteFactory(name="Hengda PV Glass, Phase 2", aliases=["恒达光伏玻璃二期"], organization=glass),
    }


def propose_site(client, committed, name, **extra):
    with committed():
        response = client.post("/api/v1/sites/", {"name": name, "latitude": 30.9, "longitude": 118.75, **extra},
                               format="json")
    assert response.status_code == 201, response.json()
    return Site.objects.get(pk=response.json()["id"])


def test_reporter_site_with_a_misspelt_name_gets_a_proposal_not_a_link(reporter_client, committed, hengda):
    site = propose_site(reporter_client, committed, "Hengda PV Glas Phase 1")
    assert not site.verified
    proposals = list(LinkProposal.objects.filter(site=site))
    assert [(p.candidate_site, p.decision) for p in proposals] == [(hengda["phase1"], "pending")]
    assert 85 <= proposals[0].score < 100
    assert site.organization is None


def test_site_named_almost_like_an_organization_gets_a_proposal_not_a_link(reporter_client, committed, hengda):
    site = propose_site(reporter_client, committed, "Hengda PV Glas")
    assert LinkProposal.objects.filter(site=site, candidate_organization=hengda["glass"]).exists()
    site.refresh_from_db()
    assert site.organization is None  # a fuzzy name never links on its own


def test_site_named_like_an_existing_one_in_another_script_is_proposed_as_duplicate(
        reporter_client, committed, hengda):
    site = propose_site(reporter_client, committed, "Hengda Guangfu Boli Yiqi")
    assert LinkProposal.objects.filter(site=site, candidate_site=hengda["phase1"], score=100).exists()
    assert not LinkProposal.objects.filter(site=site, candidate_site=hengda["phase2"]).exists()


def test_site_named_exactly_like_an_organization_is_linked_and_rematched(editor_client, committed, hengda):
    ClaimFactory(site=None, organization=hengda["glass"])
    with committed():
        site = propose_site(editor_client, committed, "恒达光伏玻璃有限公司")
        ObservationFactory(visit__site=site, low=600, high=700)
    site.refresh_from_db()
    assert site.organization == hengda["glass"]
    assert Discrepancy.objects.filter(site=site).count() == 1


def test_renaming_a_site_proposes_again_and_keeps_decided_pairs(editor_client, committed, hengda):
    site = propose_site(editor_client, committed, "Xinhe Warehouse")
    assert not LinkProposal.objects.filter(site=site).exists()
    with committed():
        response = editor_client.patch(f"/api/v1/sites/{site.pk}/", {"name": "Hengda PV Glas Phase 2"}, format="json")
    assert response.status_code == 200, response.json()
    proposal = LinkProposal.objects.get(site=site, candidate_site=hengda["phase2"])
    LinkProposal.objects.filter(pk=proposal.pk).update(decision="rejected")
    assert site_link(site_id=site.pk) == 0
    assert LinkProposal.objects.get(pk=proposal.pk).decision == "rejected"


def test_moving_a_site_to_an_organization_brings_its_claims(editor_client, committed, hengda):
    site = SiteFactory(name="Unrelated Plant")
    ObservationFactory(visit__site=site, low=600, high=700)
    ClaimFactory(site=None, organization=hengda["glass"])
    with committed():
        editor_client.patch(f"/api/v1/sites/{site.pk}/", {"organization": hengda["glass"].pk}, format="json")
    assert Discrepancy.objects.filter(site=site, status="open").count() == 1
