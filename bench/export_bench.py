"""CSV export of 1M visits from PostgreSQL, through a real gunicorn on loopback.

Measured in one run, on the same rows in the same order:
- `COPY (SELECT * FROM surveys_visit ORDER BY started_at, id) TO STDOUT WITH CSV`
  read by a client (the ceiling);
- GET /api/v1/exports/visits.csv as an editor and as an exporter (pseudonyms),
  read over HTTP: rows/s (goal: at least 0.8x COPY) and the gunicorn worker's
  peak RSS (goal: under 150 MB); three rounds alternating the ceiling and the two
  exports, each export's ratio taken to its own round's ceiling, medians reported,
  with the CPU the database backend spent beside each (the busier process);
- which heavy libraries (image, NLP) the web process has imported;
- for reference, the same export in one process without HTTP, by the COPY path
  and by the portable row-by-row path (what SQLite uses).
The dataset is loaded with COPY into its own database (fieldsurvey_bench).
Run: .venv/bin/python bench/export_bench.py  (needs PostgreSQL; about two minutes)
"""
import http.client
import json
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT, Gunicorn, cpu_seconds, database_backends, django_env, load_average, manage, recreate_database, write_result,
)

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
ROUNDS = 3
DATABASE = "fieldsurvey_bench"
HEAVY = ["PIL", "cv2", "numpy", "pint", "imagehash", "exifread", "pillow_heif", "pypinyin", "rapidfuzz",
         "surveys.engine", "surveys.imaging"]

SETUP = """
from surveys.models import Site
from surveys.services.tokens import token_create
from surveys.services.users import user_upsert
from surveys.vocab import Role
editor, _ = user_upsert(username="bench-editor", role=Role.EDITOR)
exporter, _ = user_upsert(username="bench-exporter", role=Role.EXPORTER)
reporters = [user_upsert(username=f"bench-reporter-{i}", role=Role.REPORTER)[0] for i in range(50)]
sites = [Site.objects.create(name=f"恒达光伏玻璃 {i}期", latitude=31 + i / 100, longitude=121 + i / 100, verified=True)
         for i in range(20)]
print(token_create(user=editor)[1], token_create(user=exporter)[1],
      ",".join(str(u.pk) for u in reporters), ",".join(str(s.pk) for s in sites))
"""

# Which modules a web worker has after serving an export (the URL conf imports every view).
IMPORTS = """
import sys
from config.wsgi import application
from django.test import Client
from django.urls import get_resolver
get_resolver().url_patterns
from surveys.services.tokens import token_create
from django.contrib.auth import get_user_model
key = token_create(user=get_user_model().objects.get(username="bench-editor"), device="imports-check")[1]
response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/exports/visits.csv?until=2025-01-02",
                                            HTTP_AUTHORIZATION=f"Token {key}")
assert response.status_code == 200, response.status_code
b"".join(response.streaming_content)
print("HEAVY:" + ",".join(name for name in %r if name in sys.modules))
""" % (HEAVY,)

# The same export in one process, without HTTP: the COPY path and the portable (row by row) path.
IN_PROCESS = """
import datetime as dt, json, time
import django
django.setup()
from surveys.exports.columns import FORMATS
from surveys.selectors.exports import ExportFilters, export_stream
rates = {}
# The row-by-row path is timed over the first 200k visits only (they start 30 s apart from 2024-01-01).
first_200k = ExportFilters(until=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=30 * 200_000))
for label, copy, filters in (("copy_path", True, ExportFilters()), ("python_path", False, first_200k)):
    began = time.perf_counter()
    rows = sum(chunk.count(b"\\n") for chunk in export_stream(FORMATS["visits.csv"], user=None, filters=filters,
                                                                copy=copy)) - 1
    elapsed = time.perf_counter() - began
    rates[label] = {"rows": rows, "seconds": round(elapsed, 2), "rows_per_second": round(rows / elapsed)}
print("RATES:" + json.dumps(rates))
"""

NOTES = ["门卫说园区里实际只有几十家企业", "Gate open, 40-50 cars parked, machines audible.",
         "二期用地杂草丛生，未见施工", "=about 600-700 people per shift", ""]


def visit_lines(count: int, reporters: list[str], sites: list[str]):
    """COPY text-format lines for `surveys_visit`, in blocks."""
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    block = []
    for i in range(count):
        started = (start + timedelta(seconds=30 * i)).isoformat()
        latitude = "\\N" if i % 7 == 0 else f"{31 + (i % 997) / 10000:.6f}"
        longitude = "\\N" if i % 7 == 0 else f"{121 + (i % 991) / 10000:.6f}"
        signs = '["cars", "machines"]' if i % 3 else "[]"
        block.append(f"{uuid.UUID(int=i + 1, version=4)}\t{sites[i % len(sites)]}\t{reporters[i % len(reporters)]}\t"
                     f"{started}\t\\N\t{latitude}\t{longitude}\t{NOTES[i % len(NOTES)]} #{i}\t"
                     f"{'operating' if i % 2 else ''}\t{i % 5}\t{signs}\tdone\t\t1\t{started}\t{started}\t0\n")
        if len(block) == 20_000:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


def load(db_url: str, reporters: list[str], sites: list[str]) -> float:
    import psycopg

    began = time.perf_counter()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE surveys_visit DISABLE TRIGGER USER")  # the sync trigger is not under test
        with conn.cursor().copy(
                "COPY surveys_visit (id, site_id, reporter_id, started_at, ended_at, latitude, longitude, notes, "
                "observed_status, activity_level, activity_signs, processing, processing_error, revision, "
                "created_at, updated_at, sync_txid) FROM STDIN") as copy:
            for block in visit_lines(ROWS, reporters, sites):
                copy.write(block)
        conn.execute("ALTER TABLE surveys_visit ENABLE TRIGGER USER")
        conn.execute("VACUUM ANALYZE surveys_visit")
    return time.perf_counter() - began


def copy_ceiling(db_url: str) -> dict:
    import psycopg

    with psycopg.connect(db_url) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        cpu_before = cpu_seconds([backend])
        began = time.perf_counter()
        size = rows = 0
        with conn.cursor().copy("COPY (SELECT * FROM surveys_visit ORDER BY started_at, id) TO STDOUT WITH CSV") as copy:
            for row in copy:
                size += len(row)
                rows += 1
        elapsed = time.perf_counter() - began
        database_cpu = cpu_seconds([backend]) - cpu_before
    return {"rows": rows, "seconds": round(elapsed, 2), "rows_per_second": round(rows / elapsed), "bytes": size,
            "database_cpu_seconds": round(database_cpu, 2), "load_1m": load_average()[0]}


def status_value(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def fetch_export(server: Gunicorn, token: str) -> dict:
    worker = worker_pid(server.process.pid)
    rss_before = status_value(worker, "VmRSS")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    # A worker's first request imports the views; on a busy machine that takes seconds, which
    # would count as export time. An empty export first (its connection stays open: CONN_MAX_AGE).
    connection.request("GET", "/api/v1/exports/visits.csv?until=2000-01-01T00:00:00Z",
                       headers={"Authorization": f"Token {token}"})
    warm = connection.getresponse()
    assert warm.status == 200, warm.read()[:500]
    warm.read()
    backends = database_backends(DATABASE)  # the worker's connection, opened by the warm-up
    worker_cpu, database_cpu = cpu_seconds([worker]), cpu_seconds(backends)
    began = time.perf_counter()
    connection.request("GET", "/api/v1/exports/visits.csv", headers={"Authorization": f"Token {token}"})
    response = connection.getresponse()
    assert response.status == 200, response.read()[:500]
    first_byte = time.perf_counter() - began
    size = lines = 0
    tail = b""
    while chunk := response.read(256 * 1024):
        size += len(chunk)
        lines += chunk.count(b"\n")
        tail = chunk[-300:]
    elapsed = time.perf_counter() - began
    worker_cpu, database_cpu = cpu_seconds([worker]) - worker_cpu, cpu_seconds(backends) - database_cpu
    connection.close()
    rows = lines - 1  # the header; generated notes have no newlines
    return {"rows": rows, "seconds": round(elapsed, 2), "rows_per_second": round(rows / elapsed), "bytes": size,
            "first_byte_ms": round(first_byte * 1000, 1), "worker_cpu_seconds": round(worker_cpu, 2),
            "database_cpu_seconds": round(database_cpu, 2),
            "load_1m": load_average()[0], "worker_rss_before_mb": round(rss_before / 2**20, 1),
            "worker_peak_rss_mb": round(status_value(worker, "VmHWM") / 2**20, 1),
            "last_line": tail.decode(errors="replace").splitlines()[-1]}


def main() -> None:
    db_url = recreate_database(DATABASE)
    env = django_env(db_url, DJANGO_SETTINGS_MODULE="config.settings")
    manage(env, "migrate", "--noinput")
    editor_token, exporter_token, reporters, sites = manage(env, "shell", "-c", SETUP).split()[-4:]
    load_seconds = load(db_url, reporters.split(","), sites.split(","))
    print(f"loaded {ROWS} visits with COPY in {load_seconds:.1f}s", flush=True)
    heavy = subprocess.run([sys.executable, "-c", IMPORTS], cwd=ROOT, env=env, capture_output=True, text=True,
                           check=True).stdout.split("HEAVY:")[-1].strip()

    load_before = load_average()
    print("load average before:", load_before, flush=True)
    in_process = json.loads(subprocess.run([sys.executable, "-c", IN_PROCESS], cwd=ROOT, env=env, capture_output=True,
                                           text=True, check=True).stdout.split("RATES:")[-1])
    print("in process", in_process, flush=True)
    # Alternating rounds: the ceiling, then each role's export, each round; each export compared with the
    # ceiling of its own round, the medians reported.
    rounds = []
    for round_ in range(ROUNDS):
        ceiling = copy_ceiling(db_url)
        print(round_, "COPY ceiling", ceiling, flush=True)
        results = {"copy_ceiling": ceiling}
        for role, token in (("editor", editor_token), ("exporter", exporter_token)):
            # A fresh worker per run (its peak RSS is this export's); a long timeout: a sync worker busy longer
            # than gunicorn's default 30 s is killed, and 1M rows on a busy machine take longer.
            server = Gunicorn(env, workers=1, args=("--timeout", "600"))
            try:
                results[role] = fetch_export(server, token)
            finally:
                server.stop()
            results[role]["ratio_to_copy"] = round(results[role]["rows_per_second"] / ceiling["rows_per_second"], 2)
            print(round_, role, results[role], flush=True)
        rounds.append(results)
    median = {role: sorted((r[role] for r in rounds), key=lambda run: run.get("ratio_to_copy", run["rows_per_second"]))[
        len(rounds) // 2] for role in ("copy_ceiling", "editor", "exporter")}
    path = write_result("export", {
        "rows": ROWS, "load_seconds": round(load_seconds, 1), "load_average_before": load_before,
        "load_average_after": load_average(), "rounds": rounds,
        "copy_ceiling": median["copy_ceiling"],
        "endpoint": {role: {**median[role], "ratios_to_copy": [r[role]["ratio_to_copy"] for r in rounds],
                            "peak_rss_mb": max(r[role]["worker_peak_rss_mb"] for r in rounds)}
                     for role in ("editor", "exporter")},
        "in_process_without_http": in_process,
        "heavy_modules_in_web_process": [name for name in heavy.split(",") if name],
        "goals": {"ratio_to_copy": ">= 0.8", "worker_peak_rss_mb": "< 150"},
    })
    print(json.dumps(json.loads(path.read_text()), indent=2))


if __name__ == "__main__":
    main()
