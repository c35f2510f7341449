"""End to end in a real headless Chromium (Debian's package; never downloaded by Playwright).

Screenshots land in test-artifacts/ (git-ignored).
"""
import os
from pathlib import Path

import pytest
from django.conf import settings

from surveys.models import Discrepancy
from surveys.services.review import discrepancy_review
from tests.desk.conftest import make_discrepancy, make_photo
from tests.factories import ObservationFactory, VisitFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "correct-horse-9"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium package")


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls under
    # a running loop unless told it is safe. Only for this module, restored afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _page(browser, *, locale="en-US"):
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
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
    page.screenshot(path=ARTIFACTS / "en-1-queue-filtered.png", full_page=True)

    page.click("a.open-discrepancy")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/desk/discrepancies/{discrepancy.pk}/")
    assert page.is_visible("text=will employ 2,500 people after reaching full production")
    assert page.is_visible("text=Provincial press release")
    assert page.is_visible("text=canteen worker")
    assert page.is_visible("text=Far from the site")
    assert _image_loaded(page, ".photo img")
    page.screenshot(path=ARTIFACTS / "en-2-discrepancy.png", full_page=True)

    # Keyboard only: n to the note, type, Esc, c to confirm.
    page.keyboard.press("n")
    page.keyboard.type("Car park and canteen quote agree; 600-700 at most.")
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.keyboard.press("c")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=Decision recorded: confirmed.")
    assert page.is_visible("#current-status.status-confirmed")
    assert page.is_visible(".history [data-action='discrepancy.review']")
    page.screenshot(path=ARTIFACTS / "en-3-confirmed.png", full_page=True)

    page.click("text=Full audit trail")
    page.wait_for_load_state("networkidle")
    row = page.locator("tr[data-action='discrepancy.review']")
    assert row.count() == 1
    assert editor.username in row.inner_text()
    page.screenshot(path=ARTIFACTS / "en-4-audit.png", full_page=True)

    discrepancy.refresh_from_db()
    assert discrepancy.status == "confirmed"
    assert discrepancy.review_note == "Car park and canteen quote agree; 600-700 at most."
    assert discrepancy.reviewer == editor
    page.context.close()


def test_the_same_flow_in_chinese(browser, live_server, editor, desk_data):
    discrepancy = desk_data["discrepancy"]
    page = _page(browser, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.is_visible("h1:has-text('登录')")
    _log_in(page, live_server, editor.username)
    assert page.is_visible("nav >> text=待审队列")
    assert page.is_visible("label:has-text('严重程度')")

    page.select_option("select[name=site]", str(desk_data["site"].pk))
    page.click("#queue-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=声称2500人；实地约六七百人。")
    page.screenshot(path=ARTIFACTS / "zh-1-queue-filtered.png", full_page=True)

    page.click("a.open-discrepancy")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("h2:has-text('官方说法')")
    assert page.is_visible("h2:has-text('证据')")
    assert page.is_visible("text=远离地点")
    assert _image_loaded(page, ".photo img")
    page.fill("#id_note", "照片与食堂工人说法一致。")
    with page.expect_navigation():
        page.click("button:has-text('确认')")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("text=已记录决定：已确认。")
    assert page.is_visible(".history [data-action='discrepancy.review']")
    page.screenshot(path=ARTIFACTS / "zh-2-confirmed.png", full_page=True)

    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.review_note) == ("confirmed", "照片与食堂工人说法一致。")
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
    assert page.url.endswith("/desk/mine/")
    assert page.is_visible("text=Please go back on a weekday morning and count the cars.")
    assert not page.is_visible("text=A colleague's discrepancy")
    page.screenshot(path=ARTIFACTS / "reporter-1-followup.png", full_page=True)

    page.goto(f"{live_server.url}/desk/")
    assert page.url.endswith("/desk/mine/")  # the queue is not theirs
    response = page.goto(f"{live_server.url}/desk/discrepancies/{colleague.pk}/")
    assert response.status == 403
    for variant in ("thumbnail", "display", "original"):
        photo_url = f"{live_server.url}/api/v1/photos/{colleague_photo.pk}/file/?variant={variant}"
        assert page.request.get(photo_url).status == 404
    own = page.request.get(f"{live_server.url}/api/v1/photos/{desk_data['photo'].pk}/file/?variant=thumbnail")
    assert own.status == 200
    page.screenshot(path=ARTIFACTS / "reporter-2-forbidden.png", full_page=True)
    assert Discrepancy.objects.get(pk=colleague.pk).status == "open"
    page.context.close()
