"""Phones: an editor issues a reporter's device token, the desk draws Collect's settings QR code, revoking locks out."""
import os
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from api.odk.auth import KeyInPathMiddleware
from surveys.models import ApiToken, AuditEvent
from surveys.odk.collect import collect_settings, settings_from_payload, settings_payload
from tests.desk.test_e2e import CHROMIUM, _async_unsafe_allowed, _log_in, _page, browser  # noqa: F401 (fixtures)
from tests.odk.conftest import OPENROSA

pytestmark = pytest.mark.django_db


def test_settings_payload_is_zlib_base64_json_as_collect_reads_it():
    settings_json = collect_settings(server_url="https://example.org/v1/key/abc/projects/1", project_name="Desk")
    assert settings_from_payload(settings_payload(settings_json)) == settings_json
    assert settings_json["general"]["form_update_mode"] == "match_exactly"


def _issue(client, editor, reporter, device="Li's Android"):
    client.force_login(editor)
    return client.post("/desk/odk/", {"reporter": reporter.pk, "device": device})


def test_editor_issues_a_token_the_qr_holds_it_and_revoking_locks_the_phone_out(client, editor, reporter, site):
    import re

    page = _issue(client, editor, reporter)
    assert page.status_code == 200 and b"<svg" in page.content
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    server_url = re.search(r'data-server-url="([^"]+)"', page.content.decode()).group(1)
    key = server_url.split("/v1/key/")[1].split("/")[0]
    token = ApiToken.objects.get(device="ODK Collect: Li's Android")
    assert token.user == reporter
    assert client.get(f"/v1/key/{key}/projects/1/formList", **OPENROSA).status_code == 200
    assert client.post(f"/desk/odk/{token.pk}/revoke/").status_code == 302
    assert client.get(f"/v1/key/{key}/projects/1/formList", **OPENROSA).status_code == 403
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"device_token.issue", "device_token.revoke"}


def test_reporters_cannot_issue_tokens(client, reporter):
    client.force_login(reporter)
    assert client.get("/desk/odk/").status_code == 403


def _error_report(request) -> str:
    """Django's error report (as mailed to admins, or the debug page) of a view failing behind the middleware."""

    def failing_view(request):
        raise RuntimeError("boom")

    try:
        KeyInPathMiddleware(failing_view)(request)
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info())
        return report.get_traceback_text() + report.get_traceback_html()
    raise AssertionError("the view did not fail")


def test_a_key_in_the_path_never_reaches_an_error_report(reporter_key):
    path = f"/v1/key/{reporter_key}/projects/1/formList"
    text = _error_report(RequestFactory().get(path, HTTP_REFERER=f"https://example.org{path}"))
    assert reporter_key not in text and "/v1/key/_/projects/1/formList" in text


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium package")
def test_qr_page_in_a_browser_scans_to_the_settings(browser, live_server, editor, reporter, site):
    import cv2
    import numpy

    page = _page(browser)
    page.set_viewport_size({"width": 900, "height": 640})
    _log_in(page, live_server, editor.username)
    page.goto(f"{live_server.url}/desk/odk/")
    page.select_option("select[name=reporter]", str(reporter.pk))
    page.fill("input[name=device]", "Li's Android")
    with page.expect_navigation():
        page.click("button:has-text('Make the QR code')")
    section = page.locator("#odk-qr")
    target = Path(settings.BASE_DIR) / ("docs" if os.environ.get("UPDATE_DOCS_SCREENSHOTS") else "test-artifacts")
    target.mkdir(exist_ok=True)
    shot = section.screenshot(path=target / "odk-collect-qr.png")
    # OpenCV's classic QRCodeDetector misses about one random payload in ten even on a clean rendering
    # (20-29 of 300 tried); the ArUco-based detector read all 300.
    decoded, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(cv2.imdecode(numpy.frombuffer(shot, numpy.uint8), 1))
    scanned = settings_from_payload(decoded)
    assert scanned["general"]["server_url"].startswith(f"{live_server.url}/v1/key/")
    assert scanned["project"]["name"].endswith(reporter.username)
    page.context.close()
