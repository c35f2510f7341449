"""Shared plumbing for the benchmarks: a scratch PostgreSQL database, gunicorn, wrk."""
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def database_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def recreate_database(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def django_env(db_url: str, **extra) -> dict:
    return {**os.environ, "DATABASE_URL": db_url, "CELERY_BROKER_URL": REDIS_URL, "CACHE_URL": REDIS_URL, "DEBUG": "0",
            "SECRET_KEY": "bench-" + "k" * 50, "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0", "DJANGO_SETTINGS_MODULE": "bench.settings", "CACHE_URL": REDIS_URL, **extra}


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True)
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def cpu_by_process(pids) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (Linux /proc; a process gone is left out)."""
    tick = os.sysconf("SC_CLK_TCK")
    spent = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        spent[pid] = (int(fields[11]) + int(fields[12])) / tick
    return spent


def cpu_seconds(pids) -> float:
    """User + system CPU time the processes have used so far (a process gone counts 0)."""
    return sum(cpu_by_process(pids).values())


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two `cpu_by_process` readings by the processes alive at the second.

    A process that started in between counts whole; one that ended in between drops out rather
    than taking its earlier CPU off the sum (Django closes a connection older than CONN_MAX_AGE,
    so a database backend can end during a run and another start).
    """
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def database_backends(name: str) -> list[int]:
    """PostgreSQL's server processes serving database `name` (their CPU is the request's too)."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])]


class Gunicorn:
    """gunicorn as deployed (gunicorn.conf.py: workers, worker class, threads) unless `args` say otherwise."""

    def __init__(self, env: dict, workers: int | None = None, args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        options = [*(("--workers", str(workers)) if workers else ()), *args]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", *options],
            cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                return
            except Exception:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def pids(self) -> list[int]:
        """The master and its workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [self.process.pid, *map(int, children)]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(url: str, script: str, *, seconds: int = 15, connections: int = 8, threads: int = 2) -> dict:
    """Run wrk with a Lua script; returns requests/s, latency percentiles and status counts."""
    path = RESULTS / "wrk-script.lua.tmp"
    path.write_text(script)
    try:
        output = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", str(path), url],
            capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    finally:
        path.unlink(missing_ok=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    percentiles = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    return {"requests_per_second": rate, "requests": total, "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "latency": percentiles}


def write_result(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, **payload}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
