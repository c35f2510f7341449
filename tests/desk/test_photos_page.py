"""Photos to approve: approve, or reject with a reason (a service, audited); galleries of a site or a visit."""
import pytest
from django.core.exceptions import ValidationError

from surveys.models import AuditEvent, Photo
from surveys.services.desk import photo_approve, photo_reject
from tests.desk.conftest import make_photo
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def test_rejecting_needs_a_reason_is_audited_and_withdraws_an_approval(editor):
    photo = make_photo(VisitFactory())
    photo_approve(photo=photo, approved=True, actor=editor)
    with pytest.raises(ValidationError):
        photo_reject(photo=photo, reason="  ", actor=editor)
    with pytest.raises(ValidationError):
        photo_reject(photo=photo, reason="x" * 501, actor=editor)
    rejected = photo_reject(photo=photo, reason="A face can be recognised", actor=editor)
    assert (rejected.approved_at, rejected.rejected_by, rejected.reject_reason) == (None, editor,
                                                                                   "A face can be recognised")
    event = AuditEvent.objects.get(action="photo.reject")
    assert event.changes == {"rejected": [False, True], "reject_reason": ["", "A face can be recognised"],
                             "approved": [True, False]}


def test_approving_a_rejected_photo_clears_the_rejection(editor):
    photo = photo_reject(photo=make_photo(VisitFactory()), reason="blurred", actor=editor)
    approved = photo_approve(photo=photo, approved=True, actor=editor)
    assert approved.rejected_at is None and approved.reject_reason == "" and approved.approved_at is not None
    assert AuditEvent.objects.get(action="photo.approve").changes["reject_reason"] == ["blurred", ""]


def test_the_page_shows_caption_and_flags_beside_each_photo_and_rejects_from_a_form(editor_web, desk_world):
    page = editor_web.get("/desk/photos/").content.decode()
    assert "停车场" in page and "Far from the site" in page and "distance: 31.2 km" in page
    assert 'data-item-key="a"' in page and 'data-item-focus-key="r"' in page
    far = desk_world["far"]
    response = editor_web.post(f"/desk/photos/{far.pk}/reject/", {"reason": "Not the site", "next": "/desk/photos/"})
    assert response["Location"] == "/desk/photos/"
    assert Photo.objects.get(pk=far.pk).reject_reason == "Not the site"
    assert [card.photo.pk for card in editor_web.get("/desk/photos/").context["cards"]] == [desk_world["near"].pk]
    assert editor_web.post(f"/desk/photos/{far.pk}/reject/", {"reason": ""}).status_code == 302


def test_reporters_cannot_reject(client, reporter, desk_world):
    client.force_login(reporter)
    assert client.post(f"/desk/photos/{desk_world['far'].pk}/reject/", {"reason": "mine"}).status_code == 403
    assert Photo.objects.get(pk=desk_world["far"].pk).rejected_at is None


def test_galleries_of_a_site_and_of_a_visit_show_flags_gps_and_approval(editor_web, desk_world, editor):
    photo_reject(photo=desk_world["far"], reason="Not the site", actor=editor)
    page = editor_web.get(f"/desk/sites/{desk_world['site'].pk}/photos/").content.decode()
    assert "GPS 30.62000, 118.40000" in page and "Far from the site" in page and "Not the site" in page
    assert page.count('class="photo-card') == 2
    visit_page = editor_web.get(f"/desk/visits/{desk_world['visit'].pk}/photos/").content.decode()
    assert "Photos of the visit of 2025-10-14 14:30 Asia/Shanghai by zhaolei" in visit_page


def test_the_site_map_places_visits_and_photos_and_fetches_nothing(editor_web, desk_world, settings):
    page = editor_web.get(f"/desk/sites/{desk_world['site'].pk}/").content.decode()
    assert '<svg viewBox="0 0 640 360"' in page
    assert page.count('class="point photo') == 2 and page.count('class="point visit') == 1
    assert 'class="point photo far"' in page and "31.2 km →" in page
    assert "<image" not in page  # no tiles without a tile source
    settings.DESK_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = editor_web.get(f"/desk/sites/{desk_world['site'].pk}/").content.decode()
    assert '<image href="https://tiles.example.org/' in page


@pytest.mark.parametrize("url", ["/desk/photos/", "site-photos", "visit-photos", "site"])
def test_photo_pages_query_counts_do_not_grow(editor_web, desk_world, django_assert_num_queries, url):
    visit, site = desk_world["visit"], desk_world["site"]
    path = {"site-photos": f"/desk/sites/{site.pk}/photos/", "visit-photos": f"/desk/visits/{visit.pk}/photos/",
            "site": f"/desk/sites/{site.pk}/"}.get(url, url)
    # session, user, role, then: count, photos (with visit, site, reporter) | site, count, photos |
    # visit, count, photos | site, claims, visits, their observations, their photos, discrepancies, nearby sites
    counts = {"/desk/photos/": 5, "site-photos": 6, "visit-photos": 6, "site": 10}
    with django_assert_num_queries(counts[url]):
        editor_web.get(path)
    for _ in range(3):
        other = VisitFactory(site=site)
        make_photo(other, flags=["no_location"], flag_details={"no_location": {}})
        make_photo(visit)
    with django_assert_num_queries(counts[url]):
        editor_web.get(path)
