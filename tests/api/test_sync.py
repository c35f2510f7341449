"""`?updated_since=` and the opaque cursor: nothing missed, nothing repeated, deletions seen."""

import pytest

from surveys.models import Visit
from tests.factories import ObservationFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db
SINCE = "2000-01-01T00:00:00Z"


def drain(client, url) -> tuple[list[dict], str]:
    items, cursor = [], None
    while url:
        page = client.get(url).json()
        items += page["results"]
        cursor = page["sync_cursor"]
        url = page["next"]
    return items, cursor


def test_paging_through_changes_returns_each_row_once(reporter_client, reporter):
    visits = [VisitFactory(reporter=reporter) for _ in range(7)]
    items, _ = drain(reporter_client, f"/api/v1/visits/?updated_since={SINCE}&limit=3")
    assert sorted(item["id"] for item in items) == sorted(str(v.pk) for v in visits)


def test_resuming_from_the_cursor_returns_only_later_changes(reporter_client, reporter):
    first = VisitFactory(reporter=reporter)
    _, cursor = drain(reporter_client, f"/api/v1/visits/?updated_since={SINCE}")
    second = VisitFactory(reporter=reporter)
    first.notes = "edited later"
    first.save()
    items, _ = drain(reporter_client, f"/api/v1/visits/?cursor={cursor}")
    assert [item["id"] for item in items] == [str(second.pk), str(first.pk)]


def test_a_row_written_with_an_older_timestamp_after_the_cursor_is_still_seen(reporter_client, reporter):
    VisitFactory(reporter=reporter)
    _, cursor = drain(reporter_client, f"/api/v1/visits/?updated_since={SINCE}")
    late = VisitFactory(reporter=reporter)
    # As if its transaction had started long ago: its timestamp is older than everything synced.
    Visit.objects.filter(pk=late.pk).update(updated_at="2001-01-01T00:00:00Z")
    items, _ = drain(reporter_client, f"/api/v1/visits/?cursor={cursor}")
    assert [item["id"] for item in items] == [str(late.pk)]


def test_deletions_are_visible_to_sync(reporter_client, reporter):
    visit = VisitFactory(reporter=reporter)
    observation = ObservationFactory(visit=visit)
    _, visits_cursor = drain(reporter_client, f"/api/v1/visits/?updated_since={SINCE}")
    _, observations_cursor = drain(reporter_client, f"/api/v1/observations/?updated_since={SINCE}")
    assert reporter_client.delete(f"/api/v1/visits/{visit.pk}/").status_code == 204
    visits, _ = drain(reporter_client, f"/api/v1/visits/?cursor={visits_cursor}")
    observations, _ = drain(reporter_client, f"/api/v1/observations/?cursor={observations_cursor}")
    assert visits == [{"id": str(visit.pk), "deleted": True, "deleted_at": visits[0]["deleted_at"]}]
    assert [o["id"] for o in observations] == [str(observation.pk)] and observations[0]["deleted"]


def test_sync_is_scoped_like_the_list(reporter_client, other_reporter, reporter):
    mine = VisitFactory(reporter=reporter)
    theirs = VisitFactory(reporter=other_reporter)
    theirs.delete()
    items, _ = drain(reporter_client, f"/api/v1/visits/?updated_since={SINCE}")
    assert [item["id"] for item in items] == [str(mine.pk)]


@pytest.mark.parametrize("resource", ["sites", "claims", "organizations", "observations", "visits"])
def test_every_synced_resource_pages(editor_client, resource):
    SiteFactory.create_batch(3)
    page = editor_client.get(f"/api/v1/{resource}/?updated_since={SINCE}&limit=2").json()
    assert set(page) >= {"next", "previous", "results", "sync_cursor"}


@pytest.mark.parametrize("query", ["updated_since=yesterday", "cursor=garbage!", "cursor=" + "e30"])
def test_bad_sync_parameters_are_400(reporter_client, query):
    response = reporter_client.get(f"/api/v1/visits/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_site_search_matches_aliases_in_any_script(reporter_client):
    SiteFactory(name="Hengda PV Glass, Phase 1", aliases=["恒达光伏玻璃一期", "Hengda Phase 1"])
    SiteFactory(name="Other plant")
    for term in ("恒达", "hengda", "PHASE 1", "玻璃"):
        results = reporter_client.get("/api/v1/sites/", {"search": term}).json()["results"]
        assert [site["name"] for site in results] == ["Hengda PV Glass, Phase 1"], term


def test_reporter_proposes_an_unverified_site_and_cannot_verify_it(reporter_client, editor_client):
    response = reporter_client.post("/api/v1/sites/", {"name": "New plot", "verified": True, "latitude": 30.1,
                                                       "longitude": 120.2}, format="json")
    assert response.status_code == 201 and response.json()["verified"] is False
    site_id = response.json()["id"]
    assert reporter_client.patch(f"/api/v1/sites/{site_id}/", {"verified": True}, format="json").status_code == 403
    assert editor_client.patch(f"/api/v1/sites/{site_id}/", {"verified": True}, format="json").json()["verified"]


def test_sync_stamps_survive_a_flush_of_the_counter(reporter):
    from surveys.models import SyncCounter

    SyncCounter.objects.all().delete()  # what a flush does
    first, second = VisitFactory(reporter=reporter), VisitFactory(reporter=reporter)
    first.refresh_from_db()
    second.refresh_from_db()
    assert 0 < first.sync_txid <= second.sync_txid


def test_a_reporter_never_learns_of_another_reporters_deletions(reporter_client, other_reporter_client, reporter,
                                                                  other_reporter, editor_client):
    mine = VisitFactory(reporter=reporter)
    theirs = VisitFactory(reporter=other_reporter)
    their_observation = ObservationFactory(visit=theirs)
    _, visits_cursor = drain(reporter_client, f"/api/v1/visits/?updated_since={SINCE}")
    _, observations_cursor = drain(reporter_client, f"/api/v1/observations/?updated_since={SINCE}")
    assert other_reporter_client.delete(f"/api/v1/observations/{their_observation.pk}/").status_code == 204
    assert other_reporter_client.delete(f"/api/v1/visits/{theirs.pk}/").status_code == 204
    assert reporter_client.delete(f"/api/v1/visits/{mine.pk}/").status_code == 204

    for start in (f"updated_since={SINCE}", f"cursor={visits_cursor}"):
        items, _ = drain(reporter_client, f"/api/v1/visits/?{start}")
        assert [item["id"] for item in items] == [str(mine.pk)] and items[0]["deleted"]
    for start in (f"updated_since={SINCE}", f"cursor={observations_cursor}"):
        assert drain(reporter_client, f"/api/v1/observations/?{start}")[0] == []
    # Their owner and the editors learn of them.
    items, _ = drain(other_reporter_client, f"/api/v1/visits/?updated_since={SINCE}")
    assert [item["id"] for item in items] == [str(theirs.pk)]
    items, _ = drain(other_reporter_client, f"/api/v1/observations/?updated_since={SINCE}")
    assert [item["id"] for item in items] == [str(their_observation.pk)]
    items, _ = drain(editor_client, f"/api/v1/visits/?updated_since={SINCE}")
    assert sorted(item["id"] for item in items) == sorted([str(mine.pk), str(theirs.pk)])


def test_deleted_sites_reach_every_reporter(reporter_client, editor_client):
    site = SiteFactory()
    assert editor_client.delete(f"/api/v1/sites/{site.pk}/").status_code == 204
    items, _ = drain(reporter_client, f"/api/v1/sites/?updated_since={SINCE}")
    assert [(item["id"], item.get("deleted")) for item in items] == [(str(site.pk), True)]


@pytest.mark.parametrize("cursor", [
    "WzEsMCwiIiwiMjAwMC0wMS0wMVQwMDowMDowMCswMDowMCJd",  # a well-formed cursor of the old, unsigned layout
    "WzEsMCwiIiwiMjAwMC0wMS0wMVQwMDowMDowMCswMDowMCJd:1a2b3c:forged",
    "%00", "9" * 5000, "W1siYSJdXQ:x",
])
def test_forged_or_garbled_cursors_are_400(reporter_client, cursor):
    response = reporter_client.get(f"/api/v1/visits/?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_cursor_is_bound_to_this_server_and_to_its_resource(reporter_client, reporter, settings):
    VisitFactory(reporter=reporter)
    _, cursor = drain(reporter_client, f"/api/v1/visits/?updated_since={SINCE}")
    assert reporter_client.get(f"/api/v1/visits/?cursor={cursor}").status_code == 200
    assert reporter_client.get(f"/api/v1/observations/?cursor={cursor}").status_code == 400
    settings.SECRET_KEY = "another-servers-key-" + "x" * 40
    assert reporter_client.get(f"/api/v1/visits/?cursor={cursor}").status_code == 400
