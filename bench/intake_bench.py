"""Intake throughput under gunicorn as deployed (gunicorn.conf.py: 2 gthread workers of 8 threads), wrk at 8
connections on loopback.

Measured in one run, alternating rounds: a bare DRF endpoint (the floor), visit POSTs
(token auth, validation, Idempotency-Key, PostgreSQL write, task enqueued on Redis after
commit) and photo uploads. Beside each rate: the CPU time the server processes and
their PostgreSQL backends spent per request, which a busy machine changes much less
than the rate, and the rate that CPU time would allow on 2 idle cores (a ceiling: wrk
and Redis need CPU too).
Goal: at least 435 visit POSTs/s (3x ODK Central's 145/s on this machine kind).
Run: .venv/bin/python bench/intake_bench.py  (needs PostgreSQL, Redis and wrk)
"""
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Gunicorn, cpu_by_process, cpu_spent, database_backends, django_env, load_average, manage, recreate_database,
    write_result, wrk,
)

SECONDS = 8
ROUNDS = 3
GOAL = 435

UNIQUE_IDS = """
local counter = 0
local thread_id = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) thread_id = tonumber(wrk.thread:get("tid")) or math.random(1, 65535) end
local function next_uuid()
  counter = counter + 1
  return string.format("%08x-0000-4000-8000-%012x", thread_id, counter)
end
"""


def visit_script(token: str, site_id: int) -> str:
    return UNIQUE_IDS + f"""
request = function()
  local id = next_uuid()
  local body = '{{"id":"' .. id .. '","site":{site_id},"started_at":"2025-10-14T14:05:00+08:00",' ..
               '"notes":"Gate open, 40-50 cars.","activity_level":3}}'
  return wrk.format("POST", "/api/v1/visits/", {{["Content-Type"]="application/json",
    ["Authorization"]="Token {token}", ["Idempotency-Key"]=id}}, body)
end
"""


def bare_script() -> str:
    return """
request = function()
  return wrk.format("POST", "/bench/bare/", {["Content-Type"]="application/json"},
    '{"site":1,"started_at":"2025-10-14T14:05:00+08:00","notes":"Gate open, 40-50 cars.","activity_level":3}')
end
"""


def upload_script(token: str, visit_id: str, jpeg: bytes) -> str:
    boundary = "benchboundary7MA4YWxkTrZu0gW"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\ngate\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n")
    body = head.encode() + jpeg + f"\r\n--{boundary}--\r\n".encode()
    lua_bytes = "".join(f"\\{b}" for b in body)
    return f"""
local body = "{lua_bytes}"
request = function()
  return wrk.format("POST", "/api/v1/visits/{visit_id}/photos/", {{
    ["Content-Type"]="multipart/form-data; boundary={boundary}", ["Authorization"]="Token {token}"}}, body)
end
"""


def sample_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (90, 120, 150))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1600, 40):
        draw.line([(i, 0), (1600 - i, 1200)], fill=(i % 255, 80, 200 - i % 200), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


SETUP = """
import uuid, datetime as dt
from surveys.services.users import user_upsert
from surveys.services.tokens import token_create
from surveys.models import Site, Visit
from surveys.vocab import Role
user, _ = user_upsert(username="bench-reporter", role=Role.REPORTER, password="bench-password-1")
site, _ = Site.objects.get_or_create(name="Bench site", defaults={"latitude": 30.9, "longitude": 118.75})
visit = Visit.objects.create(site=site, reporter=user, started_at=dt.datetime(2025, 10, 14, tzinfo=dt.timezone.utc))
print(token_create(user=user)[1], site.pk, visit.pk)
"""


def warm_up(server: Gunicorn, script: str) -> None:
    """Until requests come back quickly: a fresh worker imports the views on its first request."""
    for _ in range(10):
        if wrk(server.url, script, seconds=3)["requests_per_second"] > 20:
            return


def measure(server: Gunicorn, database: str, script: str) -> dict:
    """One wrk run, with the CPU the server's processes and their PostgreSQL backends spent per request."""
    before = cpu_by_process(server.pids() + database_backends(database))
    run = wrk(server.url, script, seconds=SECONDS)
    spent = cpu_spent(before, cpu_by_process(server.pids() + database_backends(database)))
    return {**run, "cpu_ms_per_request": round(1000 * spent / max(run["requests"], 1), 2),
            "load_1m": load_average()[0]}


def median_run(runs: list[dict]) -> dict:
    """The run of median throughput, with every run's figures beside it."""
    middle = sorted(runs, key=lambda run: run["requests_per_second"])[len(runs) // 2]
    cpu = sorted(run["cpu_ms_per_request"] for run in runs)[len(runs) // 2]
    return {**middle, "cpu_ms_per_request": cpu,
            "runs": [{key: run[key] for key in ("requests_per_second", "cpu_ms_per_request", "load_1m")}
                     for run in runs]}


def main() -> None:
    import redis

    database = "fieldsurvey_bench_intake"
    db_url = recreate_database(database)
    env = django_env(db_url)
    manage(env, "migrate", "--noinput")
    token, site_id, visit_id = manage(env, "shell", "-c", SETUP).split()[-3:]
    load_before = load_average()
    print("load average before:", load_before, flush=True)
    server = Gunicorn(env, workers=2)  # worker class and threads from gunicorn.conf.py, as deployed
    scripts = {"bare": bare_script(), "visit": visit_script(token, int(site_id)),
               "upload": upload_script(token, visit_id, sample_jpeg())}
    runs = {name: [] for name in scripts}
    try:
        warm_up(server, scripts["visit"])
        for round_ in range(ROUNDS):  # alternating, so a change in the machine's load hits them all alike
            for name, script in scripts.items():
                runs[name].append(measure(server, database, script))
                print(round_, name, {key: runs[name][-1][key] for key in
                                     ("requests_per_second", "cpu_ms_per_request", "load_1m")}, flush=True)
    finally:
        server.stop()
        redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    stored = manage(env, "shell", "-c", "from surveys.models import Visit, Photo; "
                    "print(Visit.objects.count(), Photo.objects.count())").split()[-2:]
    bare, visits, uploads = (median_run(runs[name]) for name in runs)
    rate = visits["requests_per_second"]
    result = {
        "setup": {"server": "gunicorn, 2 gthread workers x 8 threads (gunicorn.conf.py)",
                  "client": "wrk, 2 threads, 8 connections",
                  "seconds_per_run": SECONDS, "rounds": ROUNDS, "order": "bare, visit, upload; alternating, medians",
                  "cpu": "user+system CPU of the gunicorn processes and their PostgreSQL backends, per request",
                  "database": "PostgreSQL (loopback)", "broker": "Redis (loopback)"},
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "bare_drf_post": bare,
        "visit_post": {**visits, "ratio_to_bare": round(rate / bare["requests_per_second"], 3),
                       "cpu_ceiling_requests_per_second": round(1000 * os.cpu_count() / visits["cpu_ms_per_request"]),
                       "goal_requests_per_second": GOAL, "goal_met": rate >= GOAL},
        "photo_upload": {**uploads, "photo_bytes": len(sample_jpeg())},
        "rows_written": {"visits": int(stored[0]) - 1, "photos": int(stored[1])},
    }
    print(write_result("intake", result).read_text())


if __name__ == "__main__":
    main()
