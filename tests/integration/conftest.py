"""The real-service tier: PostgreSQL, Redis and Celery worker processes.

Run by `make test-integration` with DATABASE_URL and CELERY_BROKER_URL set. A
service that cannot be reached skips its tests with a loud reason; nothing here
is skipped otherwise.
"""
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _loud_skip(reason: str):
    banner = f"INTEGRATION TIER NOT RUN: {reason}"
    warnings.warn(banner, stacklevel=2)
    print(f"\n{'!' * len(banner)}\n{banner}\n{'!' * len(banner)}", file=sys.stderr)
    pytest.skip(banner)


@pytest.fixture(autouse=True)
def _require_postgresql():
    if connection.vendor != "postgresql":
        _loud_skip("DATABASE_URL does not point at PostgreSQL (run `make test-integration`).")


def redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
    except Exception:
        return False


def worker_environment() -> dict:
    """The worker must see the test database, not the one in DATABASE_URL."""
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DJANGO_SETTINGS_MODULE": "config.settings", "MEDIA_ROOT": str(settings.MEDIA_ROOT)}


class Worker:
    """A `celery worker` process (solo pool: the task runs in the process we can kill)."""

    def __init__(self, *, extra_env: dict | None = None, name: str = "w1"):
        env = {**worker_environment(), **(extra_env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.log: list[str] = []

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("worker exited:\n" + "".join(self.log))
            self.log.append(line)
            if " ready." in line:
                return
        raise TimeoutError("worker not ready:\n" + "".join(self.log))

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def purge_broker():
    if not redis_available():
        _loud_skip(f"Redis at {settings.CELERY_BROKER_URL} cannot be reached.")
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    yield
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


@pytest.fixture
def celery_worker(purge_broker, transactional_db):
    worker = Worker()
    worker.wait_ready()
    yield worker
    worker.stop()


def wait_for(predicate, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture
def gunicorn(transactional_db):
    """A real gunicorn (2 workers x 8 threads) on loopback against the test database; yields its port."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**worker_environment(), "ALLOWED_HOSTS": "127.0.0.1", "CELERY_TASK_ALWAYS_EAGER": "1",
           "DB_CONN_MAX_AGE": "0"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                                f"127.0.0.1:{port}", "--workers", "2", "--threads", "8"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except Exception:
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=15)
