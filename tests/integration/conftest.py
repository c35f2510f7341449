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
import urllib.error
import urllib.request
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


class Beat:
    """`celery beat`: sends the sweeps on their schedule (CELERY_BEAT_SCHEDULE)."""

    def __init__(self, directory: Path, *, extra_env: dict | None = None):
        env = {**worker_environment(), **(extra_env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
             "--schedule", str(directory / "beat-schedule")],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """A real gunicorn (2 workers x 8 threads) on loopback against the test database."""

    def __init__(self, *, extra_env: dict | None = None):
        self.port = free_port()
        env = {**worker_environment(), "ALLOWED_HOSTS": "127.0.0.1", "CELERY_TASK_ALWAYS_EAGER": "1",
               "DB_CONN_MAX_AGE": "0", **(extra_env or {})}
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                                         f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "8"],
                                        cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers (a 503 while its broker is down)
            except Exception:
                time.sleep(0.2)
        raise TimeoutError("gunicorn did not answer")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


@pytest.fixture
def gunicorn(transactional_db):
    """A gunicorn running tasks in-process; yields its port."""
    server = Gunicorn()
    yield server.port
    server.stop()


class RedisServer:
    """A redis-server of the test's own, on a free port, that the test may stop and start again.

    Its append-only file makes a restart keep the queued messages, as production's does
    (docker-compose.yml). The shared Redis is never touched.
    """

    def __init__(self, directory: Path):
        self.port, self.directory, self.process = free_port(), directory, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL)
        wait_for(lambda: _pings(redis.Redis(port=self.port, socket_connect_timeout=1)), timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis flushes its append-only file and exits
            self.process.wait(timeout=15)


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.directory.mkdir()
    server.start()
    yield server
    server.stop()
