"""The reporter app's browser tests: Debian's Chromium (never a downloaded browser), a phone-sized
context, the live server running tasks in-process (the embedded default), photos made here."""
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser import _async_unsafe_allowed, browser  # noqa: F401 (fixtures)
from tests.factories import ClaimFactory, SiteFactory
from tests.imaging import samples

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct-horse-9"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots" / "app"
SITE_LAT, SITE_LON = 30.9010, 118.7520


@pytest.fixture
def phone(browser):
    """A new phone: 390x844, touch, a position next to the site, English unless a test asks."""
    contexts = []

    def open_phone(locale="en-US", latitude=SITE_LAT + 0.0002, longitude=SITE_LON + 0.0001):
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale=locale,
            geolocation={"latitude": latitude, "longitude": longitude, "accuracy": 12}, permissions=["geolocation", "background-sync"],
            service_workers="allow",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.errors = []
        return page

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def app_world(transactional_db):
    """A reporter, an editor, the Hengda plant (with a Chinese name, an alias and a headcount claim),
    and two other sites farther away."""
    from surveys.vocab import Role
    from tests.factories import make_user

    reporter = make_user(Role.REPORTER, "zhaolei")
    editor = make_user(Role.EDITOR, "wangfang")
    site = SiteFactory(name="恒达光伏玻璃一期", aliases=["Hengda PV Glass, Phase 1"], latitude=SITE_LAT,
                       longitude=SITE_LON, radius_m=600, timezone="Asia/Shanghai")
    claim = ClaimFactory(site=site, text="项目达产后将提供2500个就业岗位。", source_name="省发改委新闻稿",
                         low=2500.0, high=2500.0, is_target=False)
    far_site = SiteFactory(name="新河工业园", aliases=["Xinhe Industrial Park"], kind="park",
                           latitude=SITE_LAT + 0.4, longitude=SITE_LON + 0.4)
    mid_site = SiteFactory(name="Riverside Battery Plant", aliases=["江畔电池厂"], latitude=SITE_LAT + 0.05,
                           longitude=SITE_LON + 0.05)
    return {"reporter": reporter, "editor": editor, "site": site, "claim": claim, "far_site": far_site,
            "mid_site": mid_site}


def shanghai_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def photo_files(tmp_path):
    """Two phone JPEGs with EXIF time and GPS: one at the gate, one 30 km away."""
    taken = shanghai_now() - dt.timedelta(minutes=5)
    near = samples.jpeg_with_metadata(width=800, height=600, lat=SITE_LAT + 0.0003, lon=SITE_LON + 0.0002,
                                      taken_at=taken, offset="+08:00", seed=3, xmp_gps=False)
    far = samples.jpeg_with_metadata(width=800, height=600, lat=SITE_LAT - 0.27, lon=SITE_LON, taken_at=taken,
                                     offset="+08:00", seed=4, xmp_gps=False)
    paths = []
    for name, data in (("gate.jpg", near), ("car-park.jpg", far)):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    return {"paths": paths, "sha256": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}}


@pytest.fixture
def followup_world(app_world):
    """An earlier visit of the reporter's contradicting the claim, on which the editor wants a follow-up."""
    from surveys.services.review import discrepancy_review
    from tests.desk.conftest import make_discrepancy
    from tests.factories import ObservationFactory, VisitFactory

    earlier = VisitFactory(site=app_world["site"], reporter=app_world["reporter"],
                           started_at=dt.datetime(2025, 10, 14, 6, 30, tzinfo=dt.timezone.utc),
                           notes="门卫说大约六七百人上班。")
    guard = ObservationFactory(visit=earlier, source_role="security guard", quote="门卫说大约六七百人上班",
                               method="interview")
    discrepancy = make_discrepancy(
        claim=app_world["claim"], observations=[guard],
        explanation="The provincial release claims 2,500 jobs; a guard said 600-700.",
        explanation_zh="省发改委新闻稿称提供2500个就业岗位；门卫称约六七百人。")
    return {**app_world, "discrepancy": discrepancy, "earlier": earlier, "review": discrepancy_review}
