"""Device tokens in ODK URL paths (`/v1/key/<token>/...`), and the redacted path every log gets instead."""
import re

KEY_PATH = re.compile(r"^/v1/key/(?P<key>[^/]+)/")
REDACTED_KEY_PATH = "/v1/key/_/"
_ANY_KEY_PATH = re.compile(r"/v1/key/[^/\s?\"]+/")


def redact_key(text: str) -> str:
    return _ANY_KEY_PATH.sub(REDACTED_KEY_PATH, text)
