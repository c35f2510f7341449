"""The settings ODK Collect (and KoboCollect) read from a QR code: zlib-compressed, base64 JSON.

The same managed set ODK Central draws for its app users: the server URL with the device
token in its path, forms kept exactly as the server lists them, and sending as soon as a
network is there.
"""
import base64
import json
import zlib


def collect_settings(*, server_url: str, project_name: str) -> dict:
    return {
        "general": {"server_url": server_url, "form_update_mode": "match_exactly", "autosend": "wifi_and_cellular"},
        "admin": {},
        "project": {"name": project_name, "icon": "📋"},
    }


def settings_payload(settings: dict) -> str:
    return base64.b64encode(zlib.compress(json.dumps(settings, ensure_ascii=False).encode("utf-8"))).decode()


def settings_from_payload(payload: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(payload)).decode("utf-8"))
