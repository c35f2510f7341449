"""Slow clients against the repository's own server configuration (gunicorn.conf.py).

A real gunicorn is started with nothing but `--bind` (workers, threads and timeouts come
from gunicorn.conf.py), on SQLite, without a broker. Clients trickle request bodies a
byte at a time over raw sockets, as a phone on a poor network, or an attacker, would.
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, tmp_path: Path, *args: str, **env: str):
        self.port = _free_port()
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(("DATABASE_URL", "CELERY", "CACHE_URL", "REQUEST_BODY", "GUNICORN",
                                              "WEB_CONCURRENCY"))}
        environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "1",
                            "SECRET_KEY": "slow-clients-" + "k" * 40, "DJANGO_SETTINGS_MODULE": "config.settings",
                            "MEDIA_ROOT": str(tmp_path / "media"), **env})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", *args], cwd=ROOT, env=environment)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=2)
                return
            except Exception:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError("gunicorn did not answer")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def server_factory(tmp_path):
    servers = []

    def start(*args, **env) -> Server:
        servers.append(Server(tmp_path, *args, **env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


HEAD = ("POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: {length}\r\n\r\n")


class Trickler(threading.Thread):
    """Sends a request head, then its body one byte every `every` seconds, then reads the answer."""

    def __init__(self, port: int, *, length: int = 400, every: float = 1.0, stall_after: int | None = None):
        super().__init__(daemon=True)
        self.port, self.length, self.every, self.stall_after = port, length, every, stall_after
        self.stop_event = threading.Event()
        self.answer = b""
        self.sent = 0
        self.answered_at: float | None = None

    def run(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(HEAD.format(length=self.length).encode())
            self.started_at = time.monotonic()
            sock.settimeout(self.every)
            while not self.stop_event.is_set() and self.sent < self.length:
                if self.stall_after is None or self.sent < self.stall_after:
                    try:
                        sock.sendall(b" ")
                        self.sent += 1
                    except OSError:
                        break
                try:  # an answer before the body is complete: the server gave up on it
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                if data:
                    self.answer += data
                    self.answered_at = time.monotonic()
                    sock.settimeout(2)
                    try:
                        while chunk := sock.recv(65536):
                            self.answer += chunk
                    except OSError:
                        pass
                break


def _probe(server: Server) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(server.url("/healthz"), timeout=30) as response:
        assert response.status == 200
    return time.monotonic() - started


def _probes_while_trickling(server: Server, *, seconds: float) -> list[float]:
    clients = [Trickler(server.port) for _ in range(2)]
    for client in clients:
        client.start()
    time.sleep(1.5)  # both clients are in the middle of their bodies
    waits = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waits.append(_probe(server))
        time.sleep(0.3)
    still_sending = all(client.is_alive() and client.sent >= 2 and not client.answer for client in clients)
    for client in clients:
        client.stop_event.set()
    assert still_sending, "the slow clients were answered or dropped: the test did not hold anything"
    return waits


def test_healthz_answers_within_a_second_while_two_clients_trickle_bodies(server_factory):
    server = server_factory()
    waits = _probes_while_trickling(server, seconds=5)
    assert len(waits) >= 5 and max(waits) < 1.0, waits


def test_the_same_clients_hold_two_sync_workers(server_factory):
    """Why gunicorn.conf.py runs threads: the old command line's sync workers are held."""
    server = server_factory("--worker-class", "sync", "--workers", "2", "--threads", "1")
    clients = [Trickler(server.port) for _ in range(2)]
    for client in clients:
        client.start()
    time.sleep(1.5)
    waited = []

    def probe():
        waited.append(_probe(server))

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    prober.join(timeout=3)
    held = prober.is_alive() or waited[0] > 1.0
    for client in clients:
        client.stop_event.set()  # they close: the probe gets its answer
    prober.join(timeout=30)
    assert held, waited


def test_a_body_that_stops_arriving_is_answered_408_in_the_contracts_shape(server_factory):
    server = server_factory(REQUEST_BODY_READ_TIMEOUT_SECONDS="1.5")
    client = Trickler(server.port, every=0.25, stall_after=3)
    client.start()
    client.join(timeout=20)
    assert client.answer.startswith(b"HTTP/1.1 408"), client.answer[:300]
    assert b'"detail"' in client.answer and b"arrived for 1.5 seconds" in client.answer
    # 0.75 s of bytes, 1.5 s of silence; a fresh worker also imports the API on its first request.
    assert client.answered_at - client.started_at < 15
    assert _probe(server) < 1.0


def test_a_body_that_trickles_past_the_whole_deadline_is_answered_408(server_factory):
    server = server_factory(REQUEST_BODY_READ_TIMEOUT_SECONDS="2", REQUEST_BODY_TIMEOUT_SECONDS="3")
    client = Trickler(server.port, length=1000, every=0.25)  # never 2 s without a byte, 250 s in all
    client.start()
    client.join(timeout=20)
    assert client.answer.startswith(b"HTTP/1.1 408"), client.answer[:300]
    assert b"took too long to arrive" in client.answer
    assert 2.5 < client.answered_at - client.started_at < 15
    assert re.search(rb"(?i)content-type: application/json", client.answer)
