"""In a real Chromium: the desk, the admin and the API docs run under the policy without a violation."""

from tests.desk.conftest import hengda  # noqa: F401 (fixture)
from tests.desk.test_e2e import PASSWORD, _async_unsafe_allowed, _page, browser  # noqa: F401 (fixtures)
from tests.desk.test_e2e import pytestmark as e2e_marks

pytestmark = e2e_marks


def _visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_pages_run_without_a_policy_violation(browser, live_server, editor, hengda, admin_user):  # noqa: F811
    violations = []
    page = _page(browser)
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)

    _visit(page, f"{live_server.url}/accounts/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    for path in ("/desk/", f"/desk/discrepancies/{hengda['discrepancy'].pk}/", f"/desk/sites/{hengda['site'].pk}/",
                 "/desk/audit/", "/api/v1/docs/"):
        _visit(page, live_server.url + path)
    assert page.locator(".swagger-ui .opblock").count() > 10  # the docs' start-up script ran

    admin = _page(browser)
    admin.on("console", lambda message: violations.append(f"{admin.url}: {message.text}")
             if "Content Security Policy" in message.text else None)
    _visit(admin, f"{live_server.url}/admin/login/")
    admin.fill("#id_username", admin_user.username)
    admin.fill("#id_password", PASSWORD)
    admin.click("input[type=submit]")
    admin.wait_for_load_state("networkidle")
    for path in ("/admin/", "/admin/surveys/visit/", f"/admin/surveys/site/{hengda['site'].pk}/change/"):
        _visit(admin, live_server.url + path)
    assert "/admin/login/" not in admin.url
    assert not violations, "\n".join(violations)
