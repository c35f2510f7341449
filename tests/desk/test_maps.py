"""Site maps from the data: framed on the site, far photos at the edge, a scale bar, tiles only when configured."""
import pytest
from django.utils import translation

from surveys.web.maps import HEIGHT, PADDING, WIDTH, MapPoint, site_map


@pytest.fixture(autouse=True)
def english():
    """The labels asserted here are English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def _point(kind, lat, lon, **values):
    return MapPoint(kind=kind, latitude=lat, longitude=lon, label=kind, **values)


def test_the_map_frames_the_site_and_its_visits():
    drawn = site_map(site_latitude=30.9010, site_longitude=118.7520, radius_m=600, points=[
        _point("visit", 30.9012, 118.7521), _point("photo", 30.9013, 118.7523, distance_m=35.0)])
    assert drawn.site.x == pytest.approx(WIDTH / 2, abs=40) and drawn.site.y == pytest.approx(HEIGHT / 2, abs=40)
    assert all(PADDING / 2 <= p.x <= WIDTH - PADDING / 2 and PADDING / 2 <= p.y <= HEIGHT - PADDING / 2
               for p in drawn.points)
    assert 100 < drawn.radius_px * 2 <= HEIGHT  # the radius circle fills the frame
    assert drawn.points[0].distance_m == pytest.approx(23, abs=5)  # computed for the visit
    assert not drawn.tiles


def test_a_far_photo_goes_to_the_edge_in_its_direction_with_its_distance():
    far = _point("photo", 30.62, 118.40, far=True, distance_m=31200.0)
    drawn = site_map(site_latitude=30.9010, site_longitude=118.7520, radius_m=600,
                     points=[_point("visit", 30.9012, 118.7521), far])
    assert far.off_map
    assert far.x < drawn.site.x and far.y > drawn.site.y  # south-west of the site
    assert far.x == pytest.approx(PADDING / 2) or far.y == pytest.approx(HEIGHT - PADDING / 2)
    assert 90 < far.bearing < 180  # pointing down-left on the screen
    assert far.distance_text == "31.2 km"
    assert drawn.far_points == [far]
    assert drawn.radius_px > 50  # the far photo did not shrink the site to a dot


def test_the_scale_bar_is_a_round_length():
    drawn = site_map(site_latitude=30.9, site_longitude=118.75, radius_m=500, points=[])
    assert drawn.scale_label in {"100 m", "200 m", "500 m", "1 km"}
    assert 0 < drawn.scale_px <= WIDTH / 5 + 1


def test_nothing_to_draw_without_positions():
    assert site_map(site_latitude=None, site_longitude=None, radius_m=500,
                    points=[_point("visit", None, None)], unplaced=1) is None


def test_other_sites_off_the_map_are_left_out():
    drawn = site_map(site_latitude=30.9, site_longitude=118.75, radius_m=500,
                     points=[_point("nearby", 30.93, 118.78), _point("nearby", 30.9015, 118.7505)])
    assert [p.latitude for p in drawn.nearby] == [30.9015]


def test_tiles_come_from_the_configured_server_only(settings):
    settings.DESK_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.DESK_MAP_TILE_ATTRIBUTION = "© Example"
    drawn = site_map(site_latitude=30.9, site_longitude=118.75, radius_m=500, points=[])
    assert drawn.tiles and all(t.url.startswith("https://tiles.example.org/") for t in drawn.tiles)
    zoom = {t.url.split("/")[3] for t in drawn.tiles}
    assert len(zoom) == 1 and 10 <= int(zoom.pop()) <= 19
    assert drawn.attribution == "© Example"
