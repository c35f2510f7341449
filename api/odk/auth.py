"""Who is calling: a device token in the URL path (as Central's app users), HTTP Basic, or a Bearer session token.

A token in the path is taken off the path by `KeyInPathMiddleware` before anything
could log it; the views see `request.odk_key`.
"""
import base64
import binascii

from django.contrib.auth import authenticate

from api.odk.errors import OdkError
from surveys.odk.paths import KEY_PATH, redact_key
from surveys.roles import role_of
from surveys.services.tokens import token_lookup, token_touch


class KeyInPathMiddleware:
    """Moves a `/v1/key/<token>/` token into `request.odk_key` and leaves `/v1/key/_/` in every path.

    Runs first, so the paths that Django logs (404s, 500s, error reports) never hold the key.
    The access log of gunicorn is redacted by its logger (see `config/gunicorn_logging.py`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = KEY_PATH.match(request.path_info)
        if match:
            request.odk_key = match.group("key")
            for attribute in ("path", "path_info"):
                setattr(request, attribute, redact_key(getattr(request, attribute)))
            for name in ("PATH_INFO", "REQUEST_URI", "RAW_URI", "HTTP_REFERER"):
                if name in request.META:
                    request.META[name] = redact_key(request.META[name])
        return self.get_response(request)


def _authorization(request) -> tuple[str, str]:
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower(), credentials.strip()


def _basic_user(request, credentials: str):
    try:
        username, _, password = base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    # With the request: failed guesses count against the client's address too (surveys/login_throttle.py).
    return authenticate(request, username=username, password=password) if username and password else None


def _token_user(key: str):
    token = token_lookup(key)
    if token is None:
        return None
    token_touch(token)
    return token.user


def odk_user(request, *, challenge: bool):
    """The authenticated user with a role, or an OdkError: 401 (with a Basic challenge for phones) or 403."""
    if getattr(request, "odk_key", None) is not None:
        user = _token_user(request.odk_key)
        if user is None or not user.is_active or role_of(user) is None:
            raise OdkError("Could not authenticate with the provided credentials.", status=403, code=403.1)
        return user
    scheme, credentials = _authorization(request)
    if scheme == "basic":
        user = _basic_user(request, credentials)
    elif scheme in ("bearer", "token"):
        user = _token_user(credentials)
    else:
        raise OdkError("Authentication is required: a device token, HTTP Basic or a Bearer session.", status=401,
                       code=401.2, challenge=challenge)
    if user is None or not user.is_active or role_of(user) is None:
        raise OdkError("Could not authenticate with the provided credentials.", status=401, code=401.2,
                       challenge=challenge)
    return user
