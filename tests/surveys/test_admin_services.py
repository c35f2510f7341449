"""Nobody goes around the audit in the Django admin: claims, sites, visits and observations save through
the services (audit, re-match, on-commit tasks); discrepancies, link proposals and photo approvals are
read-only there."""
import pytest
from django.test import Client

from surveys.models import AuditEvent, Claim, Discrepancy, LinkProposal, Photo, Site
from surveys.services.matching import site_rematch
from surveys.services.review import discrepancy_review
from tests.desk.conftest import make_photo
from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def admin_web(editor):
    client = Client()
    client.force_login(editor)  # editors are staff: the admin is theirs too
    return client


def form_data(client, url) -> dict:
    """The admin form's fields as a browser would post them back."""
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if hasattr(field.widget, "widgets"):  # a date and a time, as the admin's split widget posts them
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = part.isoformat() if part is not None else ""
            continue
        data[name] = "on" if value is True else value
    return data


@pytest.fixture
def plant(committed):
    site = SiteFactory(name="Hengda PV Glass, Phase 1")
    claim = ClaimFactory(site=site)
    ObservationFactory(visit=VisitFactory(site=site))
    site_rematch(site_id=site.pk)
    return site, claim, Discrepancy.objects.get(site=site)


def test_an_admin_edit_of_a_claim_re_matches_and_is_audited(admin_web, committed, plant):
    site, claim, discrepancy = plant
    url = f"/admin/surveys/claim/{claim.pk}/change/"
    data = {**form_data(admin_web, url), "low": "650", "high": "650"}
    with committed():
        response = admin_web.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action="claim.update", object_id=str(claim.pk))
    assert event.actor.username == "editor-one" and event.changes["low"] == [2500.0, 650.0]
    # 600-700 seen against 650 claimed: no contradiction any more, re-matched on commit.
    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "resolved"


def test_an_admin_added_claim_is_audited_and_matched(admin_web, committed, plant):
    site, _, _ = plant
    data = {"site": site.pk, "metric": "headcount", "low": "8000", "high": "8000", "unit": "person",
            "qualifier": "exact", "text": "The plant will create 8,000 jobs.", "source_kind": "government"}
    with committed():
        response = admin_web.post("/admin/surveys/claim/add/", data)
    assert response.status_code == 302, response.content[:2000]
    claim = Claim.objects.get(text="The plant will create 8,000 jobs.")
    assert claim.created_by.username == "editor-one"
    assert AuditEvent.objects.filter(action="claim.create", object_id=str(claim.pk)).exists()
    assert Discrepancy.objects.filter(claim=claim, site=site).exists()


def test_an_admin_claim_deletion_is_audited(admin_web, committed, plant):
    site, claim, _ = plant
    # A claim with discrepancies would take them along: not from the admin, where they are read-only.
    assert admin_web.post(f"/admin/surveys/claim/{claim.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()
    unmatched = ClaimFactory(site=site, low=700, high=700)
    with committed():
        response = admin_web.post(f"/admin/surveys/claim/{unmatched.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Claim.objects.filter(pk=unmatched.pk).exists()
    event = AuditEvent.objects.get(action="claim.delete", object_id=str(unmatched.pk))
    assert event.changes["before"]["low"] == 700.0


def test_an_admin_edit_of_a_site_is_audited(admin_web, committed, plant):
    site, _, _ = plant
    url = f"/admin/surveys/site/{site.pk}/change/"
    data = {**form_data(admin_web, url), "name": "Hengda PV Glass Phase I"}
    with committed():
        assert admin_web.post(url, data).status_code == 302
    assert Site.objects.get(pk=site.pk).name == "Hengda PV Glass Phase I"
    event = AuditEvent.objects.get(action="site.update", object_id=str(site.pk))
    assert event.changes["name"] == ["Hengda PV Glass, Phase 1", "Hengda PV Glass Phase I"]


def test_discrepancies_are_read_only_in_the_admin(admin_web, editor, plant):
    _, _, discrepancy = plant
    url = f"/admin/surveys/discrepancy/{discrepancy.pk}/change/"
    assert admin_web.get(url).status_code == 200  # viewable
    response = admin_web.post(url, {"status": "confirmed", "reviewer": editor.pk, "reviewed_at_0": "2025-01-01",
                                    "reviewed_at_1": "10:00:00"})
    assert response.status_code == 403
    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.reviewer_id, discrepancy.reviewed_at) == ("open", None, None)
    assert admin_web.post(f"/admin/surveys/discrepancy/{discrepancy.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_web.get("/admin/surveys/discrepancy/add/").status_code == 403


def test_the_admin_shows_the_decisions_with_their_snapshot(admin_web, editor, plant):
    _, _, discrepancy = plant
    discrepancy_review(discrepancy=discrepancy, reviewer=editor, status="dismissed", note="A shift only.")
    page = admin_web.get(f"/admin/surveys/discrepancy/{discrepancy.pk}/change/").content.decode()
    assert "A shift only." in page


def test_link_proposals_are_decided_in_the_desk_not_the_admin(admin_web, plant):
    site, _, _ = plant
    proposal = LinkProposal.objects.create(site=site, candidate_site=SiteFactory(), site_name="a",
                                           candidate_name="b", score=0.9)
    response = admin_web.post(f"/admin/surveys/linkproposal/{proposal.pk}/change/", {"decision": "accepted"})
    assert response.status_code == 403
    assert LinkProposal.objects.get(pk=proposal.pk).decision == "pending"


def test_photo_approval_is_read_only_and_deletion_is_audited(admin_web, committed, plant):
    site, _, _ = plant
    photo = make_photo(VisitFactory(site=site))
    url = f"/admin/surveys/photo/{photo.pk}/change/"
    data = {**form_data(admin_web, url), "caption": "Gate, 14:05", "approved_at_0": "2025-10-14",
            "approved_at_1": "14:00:00"}
    assert admin_web.post(url, data).status_code == 302
    photo.refresh_from_db()
    assert photo.caption == "Gate, 14:05" and photo.approved_at is None
    with committed():
        assert admin_web.post(f"/admin/surveys/photo/{photo.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert AuditEvent.objects.get(action="photo.delete", object_id=str(photo.pk)).actor.username == "editor-one"


def test_an_admin_edit_of_a_visit_goes_through_the_visit_service(admin_web, committed, plant):
    site, _, discrepancy = plant
    visit = discrepancy.observations.get().visit
    url = f"/admin/surveys/visit/{visit.pk}/change/"
    data = form_data(admin_web, url)
    data.update({"notes": "A guard said only about 300 people work here.",
                 "observations-TOTAL_FORMS": "0", "observations-INITIAL_FORMS": "0",
                 "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"})
    with committed():
        response = admin_web.post(url, data)
    assert response.status_code == 302, (response.context["adminform"].form.errors,
                                         [f.formset.errors for f in response.context["inline_admin_formsets"]],
                                         [f.formset.non_form_errors() for f in response.context["inline_admin_formsets"]])
    visit.refresh_from_db()
    assert visit.revision == 2 and visit.processing == "done"  # re-extracted and re-matched
    extracted = visit.observations.get(extracted=True)
    assert extracted.low == 300.0
    assert extracted in Discrepancy.objects.get(pk=discrepancy.pk).observations.all()  # re-matched
