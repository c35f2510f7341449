"""Login throttling on every path that checks a password: the API token, the desk and admin
logins, ODK's /v1/sessions and HTTP Basic on the OpenRosa and Central endpoints.

All of them call Django's `authenticate()`, so the throttle sits there:

- `ThrottledModelBackend`, the authentication backend, refuses an attempt (raises
  `LoginThrottled`, a 429 with Retry-After) when its client address or its username has
  failed too often in the current window, before any password is hashed;
- a `user_login_failed` receiver counts each failure against both.

Only failures count, so phones sending HTTP Basic with every request are never held
back. Counters live in the default cache: a shared Redis (`CACHE_URL`) in production,
which the settings require when DEBUG is off, so every web process counts together.

The client address is REMOTE_ADDR unless `TRUSTED_PROXY_COUNT` proxies stand in front
(nginx in docker-compose is one): then it is the address the outermost trusted proxy saw,
the Nth entry from the right of X-Forwarded-For. What a client writes into that header
itself stays to the left of it and is never used.
"""
import hashlib
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import ngettext

from surveys.errors import DomainError

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


class LoginThrottled(DomainError):
    status = 429
    default_detail = "Too many failed logins. Try again later."

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"Too many failed logins. Try again in {self.retry_after} seconds.")


def parse_rate(rate: str) -> tuple[int, int]:
    """"10/min" -> (10, 60); also "20/hour", "5/15m" (a number before the unit multiplies it)."""
    count, _, period = rate.partition("/")
    digits = "".join(ch for ch in period if ch.isdigit())
    unit = period[len(digits):]
    if not count.strip().isdigit() or unit not in PERIODS:
        raise ValueError(f"A rate is a number of attempts per period, e.g. '10/min'; got {rate!r}")
    return int(count), int(digits or 1) * PERIODS[unit]


def client_address(request) -> str:
    """The address of the client, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT proxies."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # not through every trusted proxy: the header proves nothing
    return forwarded[-proxies]


def _scopes(request, username: str) -> list[tuple[str, str]]:
    scopes = []
    if request is not None:
        scopes.append(("address", client_address(request)))
    if username:
        scopes.append(("username", username.strip().lower()))
    return scopes


def _rate(scope: str) -> tuple[int, int]:
    return parse_rate(settings.LOGIN_THROTTLE_RATE if scope == "address" else settings.LOGIN_USERNAME_THROTTLE_RATE)


def _key(scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # any text a client sends makes a valid key
    return f"login-throttle:{scope}:{digest}:{window}"


def login_check(request, username: str) -> None:
    """Raise LoginThrottled when this address or username used up its failures in the current window."""
    now = time.time()
    for scope, value in _scopes(request, username):
        limit, period = _rate(scope)
        window = int(now // period)
        if (cache.get(_key(scope, value, window)) or 0) >= limit:
            raise LoginThrottled(retry_after=period - now % period)


def login_failure_record(request, username: str) -> None:
    now = time.time()
    for scope, value in _scopes(request, username):
        _, period = _rate(scope)
        key = _key(scope, value, int(now // period))
        cache.add(key, 0, timeout=period + 1)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 1)


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend, refusing a throttled attempt before it checks any password.

    One backend, not a gate in front of ModelBackend: `login()` and the test client's
    `force_login()` need a single backend to name.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        login_check(request, username or kwargs.get(self._username_field()) or "")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    login_failure_record(request, str(credentials.get("username") or credentials.get("email") or ""))


class LoginThrottledPageMiddleware:
    """The desk's and admin's logins: a throttled attempt answers a readable 429 page, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, LoginThrottled):
            return None
        minutes = -(-exception.retry_after // 60)
        message = ngettext("Too many failed logins from here or for this username. Try again in %(minutes)s minute.",
                           "Too many failed logins from here or for this username. Try again in %(minutes)s minutes.",
                           minutes) % {"minutes": minutes}
        response = render(request, "429.html", {"message": message}, status=429)
        response["Retry-After"] = str(exception.retry_after)
        return response
