"""The reporter app's three server-side pieces: the HTML shell, the web app manifest and the
service worker. Everything else (sites, the outbox, results) lives in the browser and the API.

The service worker caches ASSETS under a cache named after `app_version()`: a digest of the
assets' and the shell's bytes plus the REPORTER_APP_RELEASE setting. A deploy that changes any
of them changes sw.js, so the browser installs the new worker, which replaces the old cache and
leaves IndexedDB (the outbox) alone.
"""
import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from surveys.middleware import HEADER as CSP_HEADER
from surveys.middleware import content_security_policy

# Loaded by the shell in this order, and by the service worker (the first four) with importScripts.
SCRIPTS = ["app/i18n.js", "app/db.js", "app/api.js", "app/outbox.js", "app/app.js"]
WORKER_SCRIPTS = SCRIPTS[:4]
STYLES = ["app/app.css"]
ICONS = [("app/icons/icon-192.png", "192x192", "any"), ("app/icons/icon-512.png", "512x512", "any"),
         ("app/icons/maskable-512.png", "512x512", "maskable")]
SHELL_TEMPLATE = "reporter_app/shell.html"


@lru_cache(maxsize=1)
def _assets_digest() -> str:
    digest = hashlib.sha256()
    for name in [*SCRIPTS, *STYLES, *(icon for icon, _, _ in ICONS)]:
        path = finders.find(name)
        with open(path, "rb") as handle:
            digest.update(name.encode() + b"\0" + handle.read())
    digest.update(get_template(SHELL_TEMPLATE).template.source.encode())
    digest.update(get_template("reporter_app/sw.js").template.source.encode())
    return digest.hexdigest()[:12]


def app_version() -> str:
    release = getattr(settings, "REPORTER_APP_RELEASE", "")
    return f"{_assets_digest()}-{release}" if release else _assets_digest()


def _versioned(name: str) -> str:
    return f"{static(name)}?v={app_version()}"


def _no_cache(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def shell(request):
    """The app's only page. No login here: the app signs in through the API and keeps a token."""
    context = {
        "scripts": [_versioned(name) for name in SCRIPTS],
        "styles": [_versioned(name) for name in STYLES],
        "icon": _versioned(ICONS[0][0]),
        "version": app_version(),
    }
    response = HttpResponse(render_to_string(SHELL_TEMPLATE, context, request=request))
    # Photo previews are blob: URLs of the chosen files (never re-encoded); the rest is the site's policy.
    response[CSP_HEADER] = content_security_policy(img_src=["blob:"])
    return _no_cache(response)


@require_GET
def manifest(request):
    body = {
        "name": "Field survey · 实地调查",
        "short_name": "Field survey",
        "description": "File site visits with notes and photos, offline too. 离线也能提交实地走访的记录和照片。",
        "id": "/app/",
        "start_url": "/app/",
        "scope": "/app/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b3d91",
        "lang": "en",
        "icons": [{"src": _versioned(name), "sizes": sizes, "type": "image/png", "purpose": purpose}
                  for name, sizes, purpose in ICONS],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
    return _no_cache(response)


@require_GET
def service_worker(request):
    version = app_version()
    shell_assets = ["/app/", _versioned_manifest(), *[_versioned(n) for n in [*SCRIPTS, *STYLES]],
                    *[_versioned(icon) for icon, _, _ in ICONS]]
    context = {
        "version_json": json.dumps(version),
        "assets_json": json.dumps(shell_assets),
        "imports_json": json.dumps([_versioned(name) for name in WORKER_SCRIPTS]),
    }
    response = HttpResponse(render_to_string("reporter_app/sw.js", context),
                            content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/app/"
    return _no_cache(response)


def _versioned_manifest() -> str:
    return f"/app/manifest.webmanifest?v={app_version()}"
