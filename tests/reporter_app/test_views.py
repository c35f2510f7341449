"""The reporter app's server side: the shell, the manifest and the service worker."""
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from surveys.reporter_app import views

STATIC = Path(settings.BASE_DIR) / "surveys" / "static" / "app"


def test_the_shell_loads_only_our_own_files_under_the_policy(client):
    response = client.get("/app/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html and "onclick" not in html  # nothing inline
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert [src.split("?")[0] for src in scripts] == [f"/static/{name}" for name in views.SCRIPTS]
    assert all(src.endswith(f"?v={views.app_version()}") for src in scripts)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert re.search(r"img-src 'self' data: blob:", policy)  # previews of the chosen photos
    assert response["Cache-Control"] == "no-cache"
    assert 'rel="manifest" href="/app/manifest.webmanifest' in html
    for src in scripts:
        assert client.get(src.split("?")[0]).status_code == 200


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/app/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/app/", "/app/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    from PIL import Image

    for icon in manifest["icons"]:
        path = STATIC / icon["src"].split("?")[0].removeprefix("/static/app/")
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_service_worker_caches_the_shell_under_the_release(client, settings):
    response = client.get("/app/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/app/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    version = views.app_version()
    assert f'const VERSION = "{version}";' in body
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", body).group(1))
    assert assets[0] == "/app/"
    assert {f"/static/{name}?v={version}" for name in views.SCRIPTS + views.STYLES} <= set(assets)
    imported = json.loads(re.search(r"importScripts\(\.\.\.(\[.*?\])\)", body).group(1))
    assert [url.split("?")[0] for url in imported] == [f"/static/{name}" for name in views.WORKER_SCRIPTS]

    settings.REPORTER_APP_RELEASE = "2026.12.2"  # a deploy: every installed app fetches its shell again
    again = client.get("/app/sw.js").content.decode()
    assert f'const VERSION = "{version}-2026.12.2";' in again


def test_the_app_needs_no_login_page_and_no_cdn(client):
    html = client.get("/app/").content.decode()
    for name in [*views.SCRIPTS, *views.STYLES]:
        text = (STATIC / name.removeprefix("app/")).read_text()
        assert "http://" not in text and "https://" not in text, name  # nothing fetched from elsewhere
    assert "http" not in html.replace(f"{settings.STATIC_URL}", "")


def _dictionary(text: str, name: str) -> set[str]:
    block = re.search(rf"const {name} = \{{(.*?)\n  \}};", text, re.S).group(1)
    return set(re.findall(r'^\s*"([a-z_.0-9]+)":', block, re.M))


def test_every_string_exists_in_english_and_chinese():
    text = (STATIC / "i18n.js").read_text()
    english, chinese = _dictionary(text, "en"), _dictionary(text, "zh")
    assert len(english) > 100
    assert english == chinese, (english ^ chinese)
    used = set()
    for name in ("app.js", "outbox.js"):
        used |= set(re.findall(r'\bt\("([a-z_.0-9]+)"', (STATIC / name).read_text()))
    prefixes = {key for key in used if key.endswith(".")}  # t("state." + name) and the like
    assert used - prefixes - english == set()
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in english), prefix
    states = {key.removeprefix("state.") for key in english if key.startswith("state.")}
    assert states == {"draft", "queued", "sending", "sent", "processed", "failed"}


@pytest.mark.parametrize("name", views.SCRIPTS)
def test_the_scripts_are_strict_and_build_no_html_from_strings(name):
    text = (STATIC / name.removeprefix("app/")).read_text()
    assert '"use strict";' in text
    assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "eval(" not in text
