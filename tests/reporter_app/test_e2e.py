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
    # The worker installs the shell in the background (about ten files); a shared machine can be slow.
    try:
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
    except Exception:  # say where the worker got stuck
        raise AssertionError(page.evaluate("""async () => { const r = await navigator.serviceWorker.getRegistration();
          return JSON.stringify({r: !!r, installing: r && r.installing && r.installing.state,
            waiting: r && r.waiting && r.waiting.state, active: r && r.active && r.active.state,
            controller: !!navigator.serviceWorker.controller, keys: await caches.keys()}); }""")) from None
    page.click("#tab-sites")
    page.wait_for_selector("#site-list li.site")


def wait_state(page, visit_id, state, timeout=30_000):  # on the visit's page
    page.wait_for_selector(f"#visit-state [data-state='{state}']", timeout=timeout)


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => { document.getElementById('toast').hidden = true; }")
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
    page.wait_for_function("() => [...document.querySelectorAll('#photo-list img')].every((img) => img.naturalWidth > 0)")
    page.click("#send-visit")
    page.wait_for_url(re.compile(r"#/visits/[0-9a-f-]{36}$"))
    visit_id = page.url.rsplit("/", 1)[1]
    wait_state(page, visit_id, "queued")
    # Background Sync is asked for too, where the browser has it (Chromium does).
    assert "fs-outbox" in page.evaluate("async () => (await (await navigator.serviceWorker.ready).sync.getTags())")
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
    assert result.locator("#result-discrepancies [data-discrepancy] [data-role='contradicts']").count() == 1
    # The previews are the phone's own copies of the originals.
    page.wait_for_function("() => [...document.querySelectorAll('#result-photos img')]"
                           ".every((img) => img.complete && img.naturalWidth === 800)")


@pytest.mark.parametrize("cut_upload", [False, True], ids=["clean", "upload-cut-once"])
def test_an_offline_visit_with_two_photos_reaches_the_server_once(phone, live_server, app_world, photo_files,
                                                                   cut_upload):
    site = app_world["site"]
    page = phone()
    sign_in(page, live_server, "zhaolei")
    cut, keys = [], []
    if cut_upload:
        def abort_the_first_upload(route):
            if route.request.method == "POST":
                keys.append(route.request.headers["idempotency-key"])
            if route.request.method == "POST" and not cut:
                cut.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()
        # On the context: the service worker's requests (Background Sync) pass through it too.
        page.context.route(re.compile(r".*/api/v1/visits/[0-9a-f-]+/photos/$"), abort_the_first_upload)

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
    # A cut upload is tried again after its delay (5 s, with jitter), whole, with the same id and key.
    wait_state(page, visit_id, "processed", timeout=60_000)
    if cut_upload:
        assert len(cut) == 1
        assert len(keys) == 3 and keys[0] in keys[1:]  # the cut upload sent again with its key, once
    assert_server_has_the_visit(visit_id, site, photo_files)
    assert_app_shows_the_result(page)
    assert no_horizontal_scroll(page)
    assert page.errors == []


def test_the_shell_opens_offline_and_a_new_release_replaces_it_keeping_the_outbox(phone, live_server, app_world,
                                                                                   settings):
    site = app_world["site"]
    page = phone()
    sign_in(page, live_server, "zhaolei")
    old = page.get_attribute("meta[name=app-version]", "content")
    assert page.evaluate("() => caches.keys()") == [f"fs-app-{old}"]

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/app/?from=home-screen#/sites")  # an address never fetched: the cached shell
    page.wait_for_selector(f"li.site[data-site='{site.pk}']")
    page.click(f"li.site[data-site='{site.pk}'] a.visit-here")
    page.fill("#notes", "大门关着，没有人。")
    page.click("#save-draft")
    page.wait_for_selector("#visit-state [data-state='draft']")
    draft_id = page.url.rsplit("/", 1)[1]

    settings.REPORTER_APP_RELEASE = "next"  # a deploy
    page.context.set_offline(False)
    page.reload()  # the old worker answers, the browser finds the new sw.js, which takes over and reloads
    page.wait_for_function("() => document.querySelector('meta[name=app-version]').content.endsWith('-next')")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert page.evaluate("() => caches.keys()") == [f"fs-app-{old}-next"]
    page.goto(f"{live_server.url}/app/#/visits")
    page.wait_for_selector(f"[data-visit='{draft_id}'][data-state='draft']")  # the outbox survived the update
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector(f"[data-visit='{draft_id}']")
    assert page.get_attribute("meta[name=app-version]", "content") == f"{old}-next"
    assert Visit.objects.count() == 0  # a draft is never sent
    assert page.errors == []


def test_a_refused_visit_shows_the_servers_reason_and_is_sent_only_after_an_edit(phone, live_server, app_world):
    site = app_world["site"]
    page = phone()
    sign_in(page, live_server, "zhaolei")
    posts = []
    # On the context: the page and its service worker (Background Sync) alike.
    page.context.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/api/v1/visits/")
                    else None)
    page.click(f"li.site[data-site='{site.pk}'] a.visit-here")
    page.fill("#notes", "Gate shut, nobody inside.")
    page.fill("#started", "2026-12-01T15:00")
    page.fill("#ended", "2026-12-01T14:00")  # before the start: the server refuses it
    page.click("#send-visit")
    wait_state(page, None, "failed")
    assert "Ended: Must not be before started_at." in page.inner_text("#visit-error")
    screenshot(page, "en-refused")
    page.evaluate("async () => { await FS.outbox.wake(); await FS.app.pump({ force: true }); }")
    page.context.set_offline(True)
    page.context.set_offline(False)  # an online event: still nothing is sent again
    page.wait_for_timeout(1500)
    assert len(posts) == 1 and Visit.objects.count() == 0

    page.click("#edit-visit")
    assert "Must not be before started_at" in page.inner_text("#form-error")
    page.fill("#ended", "2026-12-01T16:30")
    page.click("#send-visit")
    wait_state(page, None, "processed")
    assert len(posts) == 2
    visit = Visit.objects.get()
    assert visit.ended_at > visit.started_at and visit.notes == "Gate shut, nobody inside."


def test_sign_in_names_the_device_and_sign_out_revokes_the_token(phone, live_server, app_world):
    from surveys.models import ApiToken

    page = phone()
    sign_in(page, live_server, "zhaolei")
    token = ApiToken.objects.get(user=app_world["reporter"], revoked_at__isnull=True)
    assert token.device.startswith("Web app · Chrome on ")
    page.click("#tab-account")
    assert "zhaolei" in page.inner_text("#account-user")
    page.click("#sign-out")
    # The form comes back once the revocation is answered: on a loaded machine that took over the
    # default 15 s once (the app itself waits up to 60 s for an answer).
    page.wait_for_selector("#login-form", timeout=60_000)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert page.evaluate("async () => (await FS.db.get('meta', 'auth')) === undefined")


def test_a_site_proposed_offline_is_created_unverified_with_the_visit_to_it(phone, live_server, app_world):
    from surveys.models import Site

    page = phone()
    sign_in(page, live_server, "zhaolei")
    page.context.set_offline(True)
    page.click("#propose-site")
    page.fill("#site-name", "东湖新材料产业园")
    page.select_option("#site-kind", "park")
    page.wait_for_function("() => document.querySelector('#site-position').textContent.includes('±')")
    page.click("#site-form button[type=submit]")
    page.wait_for_selector("#visit-form")
    assert page.inner_text("#visit-site") == "东湖新材料产业园"
    page.fill("#notes", "园区里只有两家企业在生产。")
    page.click("#send-visit")
    wait_state(page, None, "queued")
    page.context.set_offline(False)
    wait_state(page, None, "processed")
    site = Site.objects.get(name="东湖新材料产业园")
    assert (site.kind, site.verified) == ("park", False)
    assert site.latitude == pytest.approx(app_world["site"].latitude, abs=0.001)
    assert Visit.objects.get().site == site


FOLLOWUP_NOTE = "Please count the cars at the staff car park at shift change (7:45) and ask the canteen."


def test_a_follow_up_request_from_the_desk_is_answered_with_a_linked_visit(browser, phone, live_server,
                                                                            followup_world):
    discrepancy = followup_world["discrepancy"]
    desk = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    desk.goto(f"{live_server.url}/accounts/login/")
    desk.fill("#id_username", "wangfang")
    desk.fill("#id_password", PASSWORD)
    desk.click("form[action='/accounts/login/'] button[type=submit]")
    desk.goto(f"{live_server.url}/desk/discrepancies/{discrepancy.pk}/")
    desk.fill("#id_note", FOLLOWUP_NOTE)
    desk.click("#review-form button[value=needs_followup]")
    desk.wait_for_load_state("networkidle")
    discrepancy.refresh_from_db()
    assert discrepancy.status == "needs_followup"

    page = phone()
    sign_in(page, live_server, "zhaolei")
    page.click("#tab-requests")
    request = page.locator(f"article.request[data-discrepancy='{discrepancy.pk}']")
    request.wait_for()
    assert FOLLOWUP_NOTE in request.inner_text()
    assert "项目达产后将提供2500个就业岗位。" in request.inner_text()  # the claim it concerns
    request.locator("a.start-followup").click()
    page.wait_for_selector("#followup-banner")
    assert FOLLOWUP_NOTE in page.inner_text("#followup-banner")
    assert page.inner_text("#visit-site") == "恒达光伏玻璃一期"
    page.fill("#notes", "早上七点四十五分，停车场有三十多辆车。食堂师傅说现在大约三百人上班。")
    page.click("#send-visit")
    wait_state(page, None, "processed")
    visit_id = page.url.rsplit("/", 1)[1]
    followup = Visit.objects.get(pk=visit_id)
    assert followup.followup_of_id == discrepancy.pk
    assert Observation.objects.filter(visit=followup, extracted=True, metric="headcount", low=300).exists()
    page.click("#tab-requests")
    page.locator(f"article.request[data-discrepancy='{discrepancy.pk}'] .answered").wait_for()
    discrepancy.refresh_from_db()
    assert discrepancy.followup_arrived_at is not None

    # The desk shows the answer on the discrepancy: the follow-up visit's figure, its quote and its notes.
    desk.goto(f"{live_server.url}/desk/discrepancies/{discrepancy.pk}/")
    new_evidence = desk.inner_text("#new-evidence")  # arrived after the editor's decision
    assert "大约三百人" in new_evidence and "follow-up arrived" in new_evidence
    assert FOLLOWUP_NOTE in desk.inner_text("main")
    desk.context.close()


SCREENS = ["sign-in", "requests", "sites", "propose-site", "visit-form", "visits", "result", "offline", "account"]


@pytest.mark.parametrize("locale,lang", [("en-US", "en"), ("zh-CN", "zh")])
def test_every_screen_at_390_in_both_languages(phone, live_server, followup_world, photo_files, locale, lang):
    """Every screen, in the browser's language, fits 390 px without sideways scrolling; saved for the docs."""
    discrepancy = followup_world["discrepancy"]
    followup_world["review"](discrepancy=discrepancy, reviewer=followup_world["editor"], status="needs_followup",
                             note=FOLLOWUP_NOTE if lang == "en" else "请在交接班时（7:45）数一数员工停车场的车，并问问食堂。")
    page = phone(locale=locale)
    shots = []

    def shot(name):
        assert no_horizontal_scroll(page), name
        screenshot(page, f"{lang}-{name}")
        shots.append(name)

    open_app(page, live_server)
    assert page.get_attribute("html", "lang") == ("zh-Hans" if lang == "zh" else "en")
    shot("sign-in")
    sign_in(page, live_server, "zhaolei")
    page.click("#tab-requests")
    page.wait_for_selector("article.request")
    shot("requests")
    page.click("#tab-sites")
    page.click("#nearest")
    page.wait_for_function("() => document.querySelector('#site-list li.site').textContent.match(/m|米/)")
    names = page.locator("#site-list li.site strong").all_inner_texts()
    assert names == ["恒达光伏玻璃一期", "Riverside Battery Plant", "新河工业园"]  # nearest first
    page.fill("#site-search", "jpdc")  # the initials of 江畔电池厂's pinyin
    assert page.locator("#site-list li.site strong").all_inner_texts() == ["Riverside Battery Plant"]
    page.fill("#site-search", "")
    shot("sites")
    page.click("#propose-site")
    page.fill("#site-name", "东湖新材料产业园")
    shot("propose-site")
    page.go_back()
    page.click(f"li.site[data-site='{followup_world['site'].pk}'] a.visit-here")
    page.fill("#notes", CHINESE_NOTES)
    page.click("#status-chips button[data-value='operating']")
    page.click("#signs button[data-value='gate_open']")
    with page.expect_file_chooser() as chooser:
        page.click("#add-camera")
    chooser.value.set_files([str(photo_files["paths"][0])])
    with page.expect_file_chooser() as chooser:
        page.click("#add-gallery")
    chooser.value.set_files([str(photo_files["paths"][1])])
    page.wait_for_selector("#photo-list li.photo >> nth=1")
    page.click("#add-observation")
    page.fill("#observations input[type=number] >> nth=0", "600")
    page.fill("#observations input[type=number] >> nth=1", "700")
    page.evaluate("() => window.scrollTo(0, 0)")
    shot("visit-form")
    page.click("#send-visit")
    wait_state(page, None, "processed")
    entered = Observation.objects.get(extracted=False, metric="headcount", visit__notes=CHINESE_NOTES)  # typed in
    assert (entered.low, entered.high, entered.method, entered.unit) == (600, 700, "estimated", "person")
    page.click("#tab-visits")
    page.wait_for_selector("[data-state='processed']")
    shot("visits")
    page.click("#visit-list a")
    page.locator("#result-photos").scroll_into_view_if_needed()
    flag = page.inner_text("[data-flag='far_from_site']")
    assert flag.startswith("Taken 30" if lang == "en" else "拍摄地点距该地点 30")
    # The decided discrepancy lists this visit as new evidence since the editor's decision.
    role = page.locator(f"#result-discrepancies [data-discrepancy='{discrepancy.pk}'] [data-role]")
    assert role.get_attribute("data-role") == "new"
    page.evaluate("() => document.querySelector('#result').scrollIntoView()")
    shot("result")
    page.context.set_offline(True)
    page.click("#tab-sites")
    page.wait_for_selector("#net.offline")
    shot("offline")
    page.context.set_offline(False)
    page.click("#tab-account")
    page.wait_for_selector("#sign-out")
    shot("account")
    assert shots == SCREENS
    # The switch changes the language on the spot, and the choice stays.
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === %r" % ("zh-Hans" if lang == "en" else "en"))
    page.reload()
    page.wait_for_selector("#sign-out")
    assert page.get_attribute("html", "lang") == ("zh-Hans" if lang == "en" else "en")
    assert page.errors == []


_SMALL_TARGETS = """() => [...document.querySelectorAll('button, a, input, select, textarea')]
  .filter((el) => !el.closest('.visually-hidden') && !el.classList.contains('visually-hidden') && el.offsetParent !== null)
  .filter((el) => { const box = el.getBoundingClientRect(); return box.height < 44 || box.width < 44; })
  .map((el) => el.id || el.className || el.textContent.trim().slice(0, 20))"""


def test_a_360_px_phone_needs_no_sideways_scrolling_and_every_target_is_large(browser, live_server, app_world):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", geolocation={"latitude": 30.9, "longitude": 118.75},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "zhaolei")
    screens = {
        "sites": "#site-list li.site",
        f"visit/new?site={app_world['site'].pk}": "#visit-form",
        "sites/new": "#site-form",
        "requests": "#main h1",
        "visits": "#main h1",
        "account": "#sign-out",
    }
    for path, ready in screens.items():
        page.goto(f"{live_server.url}/app/#/{path}")
        page.wait_for_selector(ready)
        if path.startswith("visit/new"):
            page.click("#add-observation")
        assert no_horizontal_scroll(page), path
        assert page.evaluate(_SMALL_TARGETS) == [], path
    context.close()


def test_a_refused_photo_is_shown_with_the_reason_and_the_rest_of_the_visit_goes_through(phone, live_server, app_world,
                                                                                       photo_files, tmp_path):
    site = app_world["site"]
    not_a_photo = tmp_path / "scan.jpg"
    not_a_photo.write_bytes(b"%PDF-1.4 this is not an image at all\n" * 20)
    page = phone()
    sign_in(page, live_server, "zhaolei")
    page.click(f"li.site[data-site='{site.pk}'] a.visit-here")
    page.fill("#notes", "门卫说大约六七百人上班。")
    with page.expect_file_chooser() as chooser:
        page.click("#add-gallery")
    chooser.value.set_files([str(photo_files["paths"][0]), str(not_a_photo)])
    page.wait_for_selector("#photo-list li.photo >> nth=1")
    page.click("#send-visit")
    wait_state(page, None, "failed")
    reason = page.inner_text("#visit-error")
    assert reason.startswith("The server said:") and "Photos:" in reason
    assert Visit.objects.count() == 1 and Photo.objects.count() == 1  # the visit and the good photo are in

    page.click("#edit-visit")
    assert page.locator("#notes").is_disabled()  # on the server already: only the unsent photo can change
    page.click("#photo-list li.photo:has-text('scan.jpg') .remove-photo")
    page.click("#send-visit")
    wait_state(page, None, "processed")
    assert Visit.objects.count() == 1 and Photo.objects.count() == 1
    assert page.locator("#result-photos li.photo").count() == 1
