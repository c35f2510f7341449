"""Intake throughput under gunicorn (2 workers), wrk at 8 connections on loopback.

Measured in one run: a bare DRF endpoint (the floor), visit POSTs (token auth,
validation, Idempotency-Key, PostgreSQL write, task enqueued on Redis) and photo
uploads. Goal: at least 300 visit POSTs/s on a 2-core machine.
Run: .venv/bin/python bench/intake_bench.py  (needs PostgreSQL, Redis and wrk)
"""
import io
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Gunicorn, django_env, manage, recreate_database, write_result, wrk  # noqa: E402

SECONDS = 15

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


def main() -> None:
    import redis

    db_url = recreate_database("fieldsurvey_bench_intake")
    env = django_env(db_url)
    manage(env, "migrate", "--noinput")
    token, site_id, visit_id = manage(env, "shell", "-c", SETUP).split()[-3:]
    server = Gunicorn(env, workers=2)
    try:
        bare = wrk(server.url, bare_script(), seconds=SECONDS)
        visits = wrk(server.url, visit_script(token, int(site_id)), seconds=SECONDS)
        uploads = wrk(server.url, upload_script(token, visit_id, sample_jpeg()), seconds=SECONDS)
    finally:
        server.stop()
        redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    stored = manage(env, "shell", "-c", "from surveys.models import Visit, Photo; "
                    "print(Visit.objects.count(), Photo.objects.count())").split()[-2:]
    result = {
        "setup": {"server": "gunicorn, 2 sync workers", "client": "wrk, 2 threads, 8 connections",
                  "seconds_per_run": SECONDS, "database": "PostgreSQL (loopback)", "broker": "Redis (loopback)"},
        "bare_drf_post": bare,
        "visit_post": {**visits, "ratio_to_bare": round(visits["requests_per_second"] / bare["requests_per_second"], 3),
                       "goal_requests_per_second": 300,
                       "goal_met": visits["requests_per_second"] >= 300},
        "photo_upload": {**uploads, "photo_bytes": len(sample_jpeg())},
        "rows_written": {"visits": int(stored[0]) - 1, "photos": int(stored[1])},
    }
    print(write_result("intake", result).read_text())


if __name__ == "__main__":
    main()
