"""End to end in a real headless Chromium (Debian's package; never downloaded by Playwright).

Measured: the decision screen fits 1366x768, a decision moves on to the next item of the queue and
`u` takes it back, no desk page is wider than a 390 px phone, and a page asked for with
`Accept-Language: zh-Hans` holds no English word of the desk's own. Screenshots of every page, at
both sizes and in both languages, land in test-artifacts/ (git-ignored); with
DESK_SCREENSHOTS_TO_DOCS=1 the pages the docs show are written to docs/screenshots/ as well.
"""
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from surveys.models import AuditEvent, Discrepancy, ExportJob, Photo
from surveys.services.review import discrepancy_review
from tests.browser import CHROMIUM, _async_unsafe_allowed, browser  # noqa: F401 (fixtures)
from tests.desk.conftest import make_discrepancy, make_photo
from tests.factories import ObservationFactory, VisitFactory

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
DOC_SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
# The pages docs/desk.md (and the README) show, at both sizes and in both languages.
DOC_PAGES = {"queue", "discrepancy", "discrepancy-no-photos", "site", "photos", "audit", "exports-exporter"}
ZH_HANS = {"Accept-Language": "zh-Hans"}
PASSWORD = "correct-horse-9"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium package")


def _page(browser, *, locale="en-US", viewport=None):
    """A fresh browser page; in Chinese ("zh-CN") every request says `Accept-Language: zh-Hans`."""
    ARTIFACTS.mkdir(exist_ok=True)  # where the tests' screenshots go
    # Playwright's locale would send its own Accept-Language ("zh-CN"); the header is the one the issue names.
    chinese = locale.startswith("zh")
    context = browser.new_context(locale=None if chinese else locale, extra_http_headers=ZH_HANS if chinese else {},
                                  viewport=viewport or {"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def _image_loaded(page, selector) -> bool:
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


_IN_VIEWPORT = """element => {
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
}"""


def _in_viewport(page, selector) -> bool:
    elements = page.query_selector_all(selector)
    assert elements, selector
    return all(element.evaluate(_IN_VIEWPORT) for element in elements)


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _press(page, key):
    """A key that submits a form or follows a link: wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("networkidle")


@pytest.fixture
def desk_data(hengda):
    """The Hengda discrepancy plus a lower one elsewhere that the site filter must hide."""
    other = make_discrepancy(severity="low", explanation="Another site entirely")
    return {**hengda, "other": other}


def test_editor_filters_opens_confirms_and_sees_the_audit(browser, live_server, editor, desk_data):
    discrepancy = desk_data["discrepancy"]
    page = _page(browser)
    _log_in(page, live_server, editor.username)
    assert page.url.endswith("/desk/")
    assert page.is_visible("text=Another site entirely")

    page.select_option("select[name=site]", str(desk_data["site"].pk))
    page.click("#queue-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert not page.is_visible("text=Another site entirely")

    page.click("a.open-discrepancy")
    page.wait_for_load_state("networkidle")
    assert f"/desk/discrepancies/{discrepancy.pk}/?status=open&site={desk_data['site'].pk}" in page.url
    assert page.is_visible("text=will employ 2,500 people after reaching full production")
    assert page.is_visible("text=Provincial press release")
    assert page.is_visible("text=canteen worker")
    assert page.is_visible("text=Far from the site")
    assert _image_loaded(page, ".photo-strip img")

    # Keyboard only: n to the note, type, Esc, c to confirm. The queue (this site) has no other item.
    page.keyboard.press("n")
    page.keyboard.type("Car park and canteen quote agree; 600-700 at most.")
    page.keyboard.press("Escape")
    _press(page, "c")
    assert page.url.endswith(f"/desk/?status=open&site={desk_data['site'].pk}")
    assert page.is_visible("text=Decision recorded: confirmed.")
    assert page.is_visible("text=That was the last discrepancy in this queue.")

    _go(page, f"{live_server.url}/desk/discrepancies/{discrepancy.pk}/")
    assert page.is_visible("#current-status.status-confirmed")
    assert page.is_visible(".history [data-action='discrepancy.review']")
    assert page.is_visible(".previous-note >> text=Car park and canteen quote agree")
    assert page.input_value("#id_note") == ""  # a new decision starts with an empty note
    page.click("text=Full audit trail")
    page.wait_for_load_state("networkidle")
    row = page.locator("tr[data-action='discrepancy.review']")
    assert row.count() == 1
    assert editor.username in row.inner_text()
    assert "open → confirmed" in row.inner_text()

    discrepancy.refresh_from_db()
    assert discrepancy.status == "confirmed"
    assert discrepancy.review_note == "Car park and canteen quote agree; 600-700 at most."
    assert discrepancy.reviewer == editor
    page.context.close()


def test_the_decision_screen_fits_a_laptop_with_and_without_photos(browser, live_server, desk_world):
    page = _page(browser, viewport=LAPTOP)
    _log_in(page, live_server, "wangfang")
    for name, discrepancy in (("photos", desk_world["headcount"]), ("no-photos", desk_world["park"])):
        _go(page, f"{live_server.url}/desk/discrepancies/{discrepancy.pk}/")
        assert (page.locator(".photo-strip").count() > 0) == (name == "photos")
        for what in ("#claim", "#claim .claim-text", "#evidence-summary", "#evidence-summary .summary",
                     "#review-form button[data-key]", "#id_note", ".decide-pane .keys"):
            assert _in_viewport(page, what), f"{what} is not inside 1366x768 ({name})"
        if name == "photos":
            assert _in_viewport(page, ".photo-strip")
        page.keyboard.press("n")  # writing a note scrolls nothing away
        assert page.evaluate("document.activeElement.id") == "id_note"
        assert _in_viewport(page, "#claim .claim-text") and _in_viewport(page, "#review-form button[data-key]")
        page.keyboard.press("Escape")
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        page.screenshot(path=ARTIFACTS / f"en-1366-discrepancy-{name}.png")
    page.context.close()


def test_a_decision_moves_on_to_the_next_item_and_u_undoes_it(browser, live_server, desk_world):
    first, second, third = desk_world["investment"], desk_world["headcount"], desk_world["park"]
    page = _page(browser, viewport=LAPTOP)
    _log_in(page, live_server, "wangfang")
    page.click(f"a.open-discrepancy[href^='/desk/discrepancies/{first.pk}/']")
    page.wait_for_load_state("networkidle")
    assert page.is_visible(".place >> text=1 of 3")

    _press(page, "d")
    assert f"/desk/discrepancies/{second.pk}/" in page.url  # the next one of the same queue
    assert page.is_visible(".toast.undo")
    assert Discrepancy.objects.get(pk=first.pk).status == "dismissed"

    _press(page, "u")
    assert f"/desk/discrepancies/{first.pk}/" in page.url
    assert page.is_visible("text=Decision undone.")
    restored = Discrepancy.objects.get(pk=first.pk)
    assert (restored.status, restored.reviewer, restored.reviewed_at) == ("open", None, None)
    assert AuditEvent.objects.filter(action="discrepancy.review_undo", object_id=str(first.pk)).count() == 1

    # An undo back to open re-matches the site (the evidence may have moved on): the queue is read again.
    from surveys.selectors.desk import QueueFilters, queue_rows

    order = list(queue_rows(desk_world["editor"], QueueFilters(status="open")).values_list("pk", flat=True))
    assert sorted(order) == sorted([first.pk, second.pk, third.pk])
    _go(page, f"{live_server.url}/desk/discrepancies/{order[0]}/?status=open")
    _press(page, "j")
    assert f"/desk/discrepancies/{order[1]}/" in page.url
    assert page.is_visible(".place >> text=2 of 3")
    _press(page, "j")
    assert f"/desk/discrepancies/{order[2]}/" in page.url
    _press(page, "k")
    assert f"/desk/discrepancies/{order[1]}/" in page.url

    page.keyboard.press("?")
    assert page.is_visible("dialog#keys >> text=undo the last decision")
    page.keyboard.press("?")
    assert not page.is_visible("dialog#keys")

    _press(page, "f")
    assert f"/desk/discrepancies/{order[2]}/" in page.url
    assert Discrepancy.objects.get(pk=order[1]).status == "needs_followup"
    page.context.close()


def test_bulk_assign_from_the_queue_with_one_confirmation(browser, live_server, desk_world):
    page = _page(browser)
    _log_in(page, live_server, "wangfang")
    page.check(f"input[name=ids][value='{desk_world['investment'].pk}']")
    page.check(f"input[name=ids][value='{desk_world['park'].pk}']")
    assert page.inner_text("[data-selected-count]") == "2"
    page.select_option("#bulk-form select[name=assignee]", "wangfang")
    page.click("#bulk-form button[value=assign]")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("h1:has-text('Assign 2 discrepancies to wangfang?')")
    assert Discrepancy.objects.filter(assignee__isnull=False).count() == 0
    page.click("button[name=confirmed]")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=2 discrepancies assigned to wangfang.")
    assert set(Discrepancy.objects.filter(assignee__username="wangfang").values_list("pk", flat=True)) == {
        desk_world["investment"].pk, desk_world["park"].pk}
    assert AuditEvent.objects.filter(action="discrepancy.assign").count() == 2
    page.context.close()


def test_photos_are_approved_and_rejected_with_the_keyboard(browser, live_server, desk_world):
    page = _page(browser)
    _log_in(page, live_server, "wangfang")
    _go(page, f"{live_server.url}/desk/photos/")
    assert page.is_visible(f"#photo-{desk_world['far'].pk} >> text=Far from the site")
    assert page.is_visible(f"#photo-{desk_world['far'].pk} >> text=停车场")  # the caption, beside the image
    page.keyboard.press("j")
    _press(page, "a")
    assert page.is_visible("text=Photo approved for publication.")
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.keyboard.type("Not the site")
    _press(page, "Enter")
    assert page.is_visible("text=Photo rejected: Not the site")
    approved, rejected = Photo.objects.get(pk=desk_world["near"].pk), Photo.objects.get(pk=desk_world["far"].pk)
    assert approved.approved_at is not None and rejected.approved_at is None
    assert (rejected.reject_reason, rejected.rejected_by.username) == ("Not the site", "wangfang")
    page.context.close()


def test_an_exporter_lands_on_exports_and_downloads_a_finished_job(browser, live_server, exporter, desk_world):
    page = _page(browser)
    _log_in(page, live_server, exporter.username)
    assert page.url.endswith("/desk/exports/")
    page.select_option("#export-filters select[name=site]", str(desk_world["site"].pk))
    page.click("#export-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    link = page.get_attribute("a[href*='discrepancies.csv']", "href")
    assert f"site={desk_world['site'].pk}" in link
    assert page.request.get(live_server.url + link).status == 200
    page.select_option("select[name=format]", "claims.csv")
    page.click("text=Start an export job")
    page.wait_for_load_state("networkidle")
    job = ExportJob.objects.get()
    assert (job.requested_by, job.format, job.filters) == (exporter, "claims.csv", {"site": desk_world["site"].pk})
    page.wait_for_selector(f"tr[data-job-url$='{job.pk}/'] [data-job-download]:not([hidden])")
    download = page.get_attribute("[data-job-download]", "href")
    assert page.request.get(live_server.url + download).status == 200
    page.context.close()


def _desk_pages(world, exporter_name, reporter_name) -> list[tuple[str, str, str]]:
    """(screenshot name, user, path) of every desk page."""
    editor = "wangfang"
    return [
        ("queue", editor, "/desk/"),
        ("discrepancy", editor, f"/desk/discrepancies/{world['headcount'].pk}/"),
        ("discrepancy-no-photos", editor, f"/desk/discrepancies/{world['park'].pk}/"),
        ("discrepancy-decided", editor, f"/desk/discrepancies/{world['decided'].pk}/"),
        ("site", editor, f"/desk/sites/{world['site'].pk}/"),
        ("site-photos", editor, f"/desk/sites/{world['site'].pk}/photos/"),
        ("visit-photos", editor, f"/desk/visits/{world['visit'].pk}/photos/"),
        ("proposed-sites", editor, "/desk/sites/"),
        ("link-proposals", editor, "/desk/links/"),
        ("followups", editor, "/desk/followups/"),
        ("photos", editor, "/desk/photos/"),
        ("audit", editor, "/desk/audit/"),
        ("exports", editor, "/desk/exports/"),
        ("try-a-sentence", editor, "/desk/try/?text=The+plant+will+employ+2%2C500+people+by+2027.&date=2025-03-10"),
        ("phones", editor, "/desk/odk/"),
        ("notifications", editor, "/desk/notifications/"),
        ("notifications-reporter", reporter_name, "/desk/notifications/"),
        ("audit-of-a-discrepancy", editor, f"/desk/audit/?object_type=surveys.discrepancy&object_id={world['decided'].pk}"),
        ("exports-exporter", exporter_name, "/desk/exports/"),
        ("mine", reporter_name, "/desk/mine/"),
    ]


def test_every_page_at_both_sizes_in_both_languages_fits_the_width(browser, live_server, desk_world, exporter):
    """Screenshots of every page at 1366 and 390 px; at 390 and 360 px nothing is wider than the phone."""
    discrepancy_review(discrepancy=desk_world["park"], reviewer=desk_world["editor"], status="needs_followup",
                       note="请工作日上午再去数一数车。")
    pages = _desk_pages(desk_world, exporter.username, desk_world["reporter"].username)
    too_wide = []
    for locale, language in (("en-US", "en"), ("zh-CN", "zh")):
        for size, viewport in (("1366", LAPTOP), ("390", PHONE), ("360", SMALL_PHONE)):
            login = _page(browser, locale=locale, viewport=viewport)
            _go(login, f"{live_server.url}/accounts/login/")
            login.screenshot(path=ARTIFACTS / f"{language}-{size}-login.png", full_page=True)
            if login.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
                too_wide.append(f"{language} login")
            login.context.close()
            for user in sorted({user for _, user, _ in pages}):
                page = _page(browser, locale=locale, viewport=viewport)
                _log_in(page, live_server, user)
                for name, page_user, path in pages:
                    if page_user != user:
                        continue
                    _go(page, live_server.url + path)
                    if viewport is not SMALL_PHONE:  # the narrowest phone is measured, not pictured
                        page.screenshot(path=ARTIFACTS / f"{language}-{size}-{name}.png", full_page=True)
                        if name in DOC_PAGES and os.environ.get("DESK_SCREENSHOTS_TO_DOCS"):
                            # A laptop shows its one screen; a phone the whole page, as it scrolls.
                            page.screenshot(path=DOC_SCREENSHOTS / f"{name}-{size}-{language}.png",
                                            full_page=viewport is PHONE)
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > viewport["width"]:
                        too_wide.append(f"{language} {name}: {width} px")
                    header = page.eval_on_selector("header.top", "header => header.getBoundingClientRect().height")
                    if viewport is not LAPTOP and header > 64:  # a compact header on a phone
                        too_wide.append(f"{language} {name}: header {header:.0f} px high")
                page.context.close()
    assert too_wide == []


def _desk_english_words() -> set[str]:
    """Words of the desk's own English strings (the catalogue's msgids, and the source roles it translates
    with the engine's names) that its Chinese never keeps."""
    from surveys.engine.explain import ROLE_ZH
    from tests.desk.test_i18n import CONTEXT, LC_MESSAGES, _po_entries

    catalogue = _po_entries((LC_MESSAGES / "django.po").read_text(encoding="utf-8"))
    words = lambda text: {word.lower() for word in re.findall(r"[A-Za-z]{3,}", text)}  # noqa: E731
    msgids = [re.sub(r"%\(\w+\)s", "", msgid.split(CONTEXT)[-1]) for msgid in catalogue] + list(ROLE_ZH)
    english = set().union(*(words(msgid) for msgid in msgids))
    kept = set().union(*(words(msgstr) for msgstr in catalogue.values()))
    return english - kept


def test_the_phones_page_issues_a_qr_code_that_fits_a_phone(browser, live_server, desk_world):
    page = _page(browser, viewport=PHONE)
    _log_in(page, live_server, "wangfang")
    _go(page, f"{live_server.url}/desk/odk/")
    page.select_option("select[name=reporter]", str(desk_world["reporter"].pk))
    page.fill("input[name=device]", "赵磊的手机")
    page.click(".odk-device-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("#odk-qr .qr svg")
    box = page.eval_on_selector("#odk-qr .qr svg", "svg => svg.getBoundingClientRect().toJSON()")
    assert 200 <= box["width"] <= PHONE["width"] and abs(box["width"] - box["height"]) < 1  # still square
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=ARTIFACTS / "en-390-phones-qr.png", full_page=True)
    page.context.close()


def test_chinese_pages_keep_no_english_word_of_the_desk(browser, live_server, desk_world):
    english = _desk_english_words()
    assert {"confirm", "dismiss", "queue", "evidence", "people", "security", "guard"} <= english
    page = _page(browser, locale="zh-CN", viewport=LAPTOP)
    _log_in(page, live_server, "wangfang")
    found = {}
    for name, path in (("queue", "/desk/"), ("discrepancy", f"/desk/discrepancies/{desk_world['headcount'].pk}/"),
                       ("discrepancy-decided", f"/desk/discrepancies/{desk_world['decided'].pk}/"),
                       ("site", f"/desk/sites/{desk_world['site'].pk}/"), ("audit", "/desk/audit/"),
                       ("photos", "/desk/photos/"), ("site-photos", f"/desk/sites/{desk_world['site'].pk}/photos/"),
                       ("visit-photos", f"/desk/visits/{desk_world['visit'].pk}/photos/"),
                       ("proposed-sites", "/desk/sites/"), ("phones", "/desk/odk/"), ("exports", "/desk/exports/"),
                       ("notifications", "/desk/notifications/"), ("followups", "/desk/followups/")):
        response = page.goto(live_server.url + path)
        assert response.request.all_headers()["accept-language"] == "zh-Hans"
        assert page.get_attribute("html", "lang") == "zh-hans"
        page.wait_for_load_state("networkidle")
        # Text in a language of its own is no desk string: the switch names "English" in English, and file
        # names (claims.csv) are marked lang="zxx", no language at all.
        text = page.evaluate("() => { document.querySelectorAll('body [lang]').forEach(e => e.remove());"
                             " return document.body.innerText; }")
        left = sorted({word for word in re.findall(r"[A-Za-z]{3,}", text) if word.lower() in english})
        if left:
            found[name] = left
    assert found == {}
    page.context.close()


def test_reporter_sees_own_followup_but_not_the_queue_or_others_evidence(browser, live_server, editor, reporter,
                                                                         other_reporter, desk_data):
    discrepancy_review(discrepancy=desk_data["discrepancy"], reviewer=editor, status="needs_followup",
                       note="Please go back on a weekday morning and count the cars.")
    colleague_visit = VisitFactory(reporter=other_reporter)
    colleague_photo = make_photo(colleague_visit)
    colleague = make_discrepancy(observations=[ObservationFactory(visit=colleague_visit)],
                                 explanation="A colleague's discrepancy")

    page = _page(browser)
    _log_in(page, live_server, reporter.username)
    assert page.url == f"{live_server.url}/app/"  # reporters land on the reporter app
    _go(page, f"{live_server.url}/desk/mine/")
    assert page.is_visible("text=Please go back on a weekday morning and count the cars.")
    assert not page.is_visible("text=A colleague's discrepancy")
    page.screenshot(path=ARTIFACTS / "reporter-1-followup.png", full_page=True)

    page.goto(f"{live_server.url}/desk/")
    assert page.url.endswith("/app/")  # the queue is not theirs
    response = page.goto(f"{live_server.url}/desk/discrepancies/{colleague.pk}/")
    assert response.status == 403
    for variant in ("thumbnail", "display", "original"):
        photo_url = f"{live_server.url}/api/v1/photos/{colleague_photo.pk}/file/?variant={variant}"
        assert page.request.get(photo_url).status == 404
    own = page.request.get(f"{live_server.url}/api/v1/photos/{desk_data['photo'].pk}/file/?variant=thumbnail")
    assert own.status == 200
    assert Discrepancy.objects.get(pk=colleague.pk).status == "open"
    page.context.close()
