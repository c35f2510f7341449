"""Login throttling counts in the shared cache: every gunicorn worker sees the same failures.

With a per-process cache each of the two workers counted on its own, so twice the
guesses got through; with CACHE_URL on Redis (required when DEBUG is off) they add up.
"""
import json
import os
import time
import urllib.error
import urllib.request

import pytest

from tests.integration.conftest import Gunicorn, _loud_skip, redis_available

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _cache_url() -> str:
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    return broker  # the test's own Redis database (TEAM.md), emptied below


def _login(port: int, password: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token/", method="POST",
        data=json.dumps({"username": "li-wei", "password": password}).encode(),
        headers={"Content-Type": "application/json", "Connection": "close",
                 "X-Forwarded-For": f"198.51.100.{len(password)}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _start_inside_one_window(period: int, needed: int) -> None:
    """The throttle counts in fixed windows (surveys.login_throttle): a run that crossed into the
    next window would see its count start again, so begin where `needed` seconds still fit."""
    left = period - time.time() % period
    if left < needed:
        time.sleep(left + 0.5)


def test_two_workers_count_failed_logins_together():
    if not redis_available():
        _loud_skip("Redis does not answer at CELERY_BROKER_URL.")
    import redis

    from tests.factories import make_user

    make_user("reporter", "li-wei")
    store = redis.Redis.from_url(_cache_url())
    store.flushdb()
    server = Gunicorn(extra_env={"CACHE_URL": _cache_url(), "LOGIN_THROTTLE_RATE": "10/hour",
                                 "LOGIN_USERNAME_THROTTLE_RATE": "100/hour"})
    try:
        _start_inside_one_window(3600, needed=120)
        statuses = [_login(server.port, "x" * (n + 1)) for n in range(16)]
    finally:
        server.stop()
        store.flushdb()
    assert statuses[:10] == [401] * 10, statuses
    assert statuses[10:] == [429] * 6, statuses
