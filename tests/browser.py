"""Debian's Chromium for the browser tests (never a downloaded browser), one per test module.

Per module, so Playwright's event loop and DJANGO_ALLOW_ASYNC_UNSAFE end with the module that
started them (another module's Playwright cannot start under a loop left running).
"""
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls under
    # a running loop unless told it is safe (the test's own queries; the live server has threads of its own).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
