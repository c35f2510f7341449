"""The reporter app end to end, in Debian's Chromium at 390x844, against the live server.

Tasks run in-process at commit (the embedded default), so a visit's notes are extracted and its
photos checked before the upload's answer leaves: what the app shows next is the final result.
"""
import hashlib
import re

import pytest

from surveys.models import Observation, Photo, Visit
from tests.reporter_app.conftest import PASSWORD, SCREENSHOTS

CHINESE_NOTES = "工作日下午，大门敞开，停车场约有四五十辆车。门卫说现在大约六七百人上班。"


def open_app(page, live_server, path=""):
    page.goto(f"{live_server.url}/app/{path}")
    page.wait_for_selector("#main :is(h1, form)")


def sign_in(page, live_server, username):
    open_app(page, live_server)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#tabs:not([hidden])")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.click("#tab-sites")
    page.wait_for_selector("#site-list li.site")


def wait_state(page, visit_id, state, timeout=30_000):
    page.wait_for_selector(f"#visit-state [data-state='{state}']", timeout=timeout)


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=False)


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def file_visit_offline(page, live_server, site, photo_paths):
    """Offline: pick the site, write Chinese notes, mark what was seen, choose two photos, send."""
    page.context.set_offline(True)
    page.wait_for_selector("#net.offline")
    page.fill("#site-search", "hengda")  # an alias; the pinyin and the Chinese name find it too
    page.click(f"li.site[data-site='{site.pk}'] a.visit-here")
    page.wait_for_selector("#visit-form")
    page.wait_for_function("() => document.querySelector('#position-text').textContent.includes('±')")
    page.fill("#notes", CHINESE_NOTES)
    page.click("#status-chips button[data-value='operating']")
    page.click("#activity button[data-value='3']")
    page.click("#signs button[data-value='gate_open']")
    page.click("#signs button[data-value='cars_parked']")
    with page.expect_file_chooser() as chooser:
        page.click("#add-gallery")
    chooser.value.set_files([str(path) for path in photo_paths])
    page.wait_for_selector("#photo-list li.photo >> nth=1")
    page.click("#send-visit")
    page.wait_for_url(re.compile(r"#/visits/[0-9a-f-]{36}$"))
    visit_id = page.url.rsplit("/", 1)[1]
    wait_state(page, visit_id, "queued")
    return visit_id


def assert_server_has_the_visit(visit_id, site, photo_files):
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert str(visit.pk) == visit_id
    assert visit.site == site and visit.notes == CHINESE_NOTES
    assert visit.observed_status == "operating" and visit.activity_level == 3
    assert sorted(visit.activity_signs) == ["cars_parked", "gate_open"]
    assert visit.latitude == pytest.approx(site.latitude, abs=0.001)
    assert visit.processing == "done"
    photos = {photo.sha256: photo for photo in Photo.objects.all()}
    assert len(photos) == 2 == Photo.objects.count()
    for path in photo_files["paths"]:
        digest = photo_files["sha256"][path.name]
        photo = photos[digest]  # the stored original is the chosen file, byte for byte
        with photo.original.open("rb") as handle:
            stored = handle.read()
        assert hashlib.sha256(stored).hexdigest() == digest
        assert stored == path.read_bytes()
        assert photo.latitude is not None and photo.taken_at is not None  # EXIF GPS and time read from it
    far = photos[photo_files["sha256"]["car-park.jpg"]]
    near = photos[photo_files["sha256"]["gate.jpg"]]
    assert "far_from_site" in far.flags and far.distance_m > 25_000
    assert "far_from_site" not in near.flags
    extracted = Observation.objects.filter(visit=visit, extracted=True, metric="headcount").get()
    assert (extracted.low, extracted.high) == (600, 700)
    assert "六七百人" in extracted.quote
    return visit


def assert_app_shows_the_result(page):
    result = page.locator("#result")
    result.locator("#result-observations [data-metric='headcount']").wait_for()
    assert "600–700" in result.inner_text()
    assert "六七百人" in result.locator("#result-observations blockquote").first.inner_text()
    flag = result.locator("[data-flag='far_from_site']")
    assert flag.count() == 1
    assert re.search(r"Taken 3\d(\.\d)? km from the site", flag.inner_text())
    assert result.locator("#result-photos .ok").count() == 1
    assert result.locator("#result-discrepancies [data-discrepancy]").count() == 1


@pytest.mark.parametrize("cut_upload", [False, True], ids=["clean", "upload-cut-once"])
def test_an_offline_visit_with_two_photos_reaches_the_server_once(phone, live_server, app_world, photo_files,
                                                                   cut_upload):
    site = app_world["site"]
    page = phone()
    sign_in(page, live_server, "zhaolei")
    cut = []
    if cut_upload:
        def abort_the_first_upload(route):
            if route.request.method == "POST" and not cut:
                cut.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()
        page.route(re.compile(r".*/api/v1/visits/[0-9a-f-]+/photos/$"), abort_the_first_upload)

    visit_id = file_visit_offline(page, live_server, site, photo_files["paths"])
    assert Visit.objects.count() == 0

    page.reload()  # offline: the shell comes from the service worker, the queue from IndexedDB
    page.wait_for_selector("#visit-state [data-state='queued']")
    page.click("#tab-visits")
    page.wait_for_selector(f"[data-visit='{visit_id}'][data-state='queued']")
    assert page.locator("#waiting").inner_text().startswith("1 ")
    page.click(f"[data-visit='{visit_id}'] a")
    assert Visit.objects.count() == 0

    page.context.set_offline(False)  # the online event sends the outbox
    if cut_upload:
        # The cut upload waits for its retry (backoff); "Send now" asks at once, with the same ids and keys.
        page.wait_for_selector("#visit-state [data-state='queued']", timeout=30_000)
        page.click("#send-now")
    wait_state(page, visit_id, "processed")
    if cut_upload:
        assert len(cut) == 1
    assert_server_has_the_visit(visit_id, site, photo_files)
    assert_app_shows_the_result(page)
    assert no_horizontal_scroll(page)
    assert page.errors == []
