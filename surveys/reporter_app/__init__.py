"""`/app/`: the reporters' offline web app (shell, manifest, service worker).

The app itself is static JavaScript under surveys/static/app/; it talks only to /api/v1/
with a device token. See docs/reporter-app.md.
"""
