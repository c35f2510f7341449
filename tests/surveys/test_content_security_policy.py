"""The Content-Security-Policy: on every page, strict for scripts, and templates that need nothing inline."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.desk.conftest import make_discrepancy
from tests.factories import make_user

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(path for path in ROOT.glob("**/templates/**/*.html") if ".venv" not in path.parts)

INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "a <script src> with a body": re.compile(r"<script\b[^>]*\bsrc=[^>]*>\s*[^<\s]", re.I),
    "an on* event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S),
    "a <style> block": re.compile(r"<style\b", re.I),
}


def test_templates_are_found():
    assert any(path.name == "base.html" for path in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(path.relative_to(ROOT)) for path in TEMPLATES])
def test_templates_hold_no_inline_script_handler_or_style(path):
    source = path.read_text()
    found = [what for what, pattern in INLINE.items() if pattern.search(source)]
    assert not found, f"{path.relative_to(ROOT)} has {', '.join(found)}: the CSP blocks it; use a static file"


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>", '<script type="module">go()</script>', '<script src="/s.js">go()</script>',
    '<button onclick="go()">', '<a\n  href="#" onMouseOver="go()">', '<a href="javascript:go()">',
    '<p style="color:red">', "<style>p{}</style>",
])
def test_the_template_check_finds_each_kind_of_inline_code(source):
    assert any(pattern.search(source) for pattern in INLINE.values())


@pytest.mark.parametrize("source", ['<script src="{% static \'desk/desk.js\' %}" defer></script>',
                                    '<button data-on="x" class="onward">', '<p data-style="a">'])
def test_the_template_check_lets_static_scripts_and_data_attributes_pass(source):
    assert not any(pattern.search(source) for pattern in INLINE.values())


def _directives(header: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


def _strict(header: str) -> None:
    directives = _directives(header)
    assert directives["script-src"] == ["'self'"], header
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_every_page_sends_the_policy(client, admin_client):
    editor = make_user("editor")
    discrepancy = make_discrepancy()
    anonymous = [client.get(url) for url in ("/accounts/login/", "/admin/login/")]
    client.force_login(editor)
    desk = [client.get(url) for url in ("/desk/", f"/desk/discrepancies/{discrepancy.pk}/", "/desk/audit/")]
    admin = [admin_client.get(url) for url in ("/admin/", "/admin/auth/user/")]
    for response in [*anonymous, *desk, *admin]:
        assert response.status_code == 200, response.request["PATH_INFO"]
        _strict(response.headers["Content-Security-Policy"])
        assert _directives(response.headers["Content-Security-Policy"])["style-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_from_a_file(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    _strict(response.headers["Content-Security-Policy"])
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', response.content.decode()).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
