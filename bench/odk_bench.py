"""OpenRosa submissions per second under gunicorn (2 workers), beside the JSON API's visit POST in the same run.

Each OpenRosa POST is a new submission as ODK Collect sends it (multipart with
`xml_submission_file`, a device token in the path, X-OpenRosa-Version), once without a
photo and once with one 200 kB JPEG; the JSON API's visit POST and a 200 kB photo
upload are measured in the same run as the baselines. The machine is shared: the
ratios, not the absolute figures, are what compares.
Run: .venv/bin/python bench/odk_bench.py  (needs PostgreSQL, Redis and wrk)
"""
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Gunicorn, django_env, manage, recreate_database, write_result, wrk  # noqa: E402
from bench.intake_bench import UNIQUE_IDS, upload_script, visit_script  # noqa: E402

SECONDS = 15
PHOTO_BYTES = 200_000
BOUNDARY = "odkbenchboundary7MA4YWxkTrZu0gW"

SETUP = """
import datetime as dt
from surveys.models import Site, Visit
from surveys.selectors.odk import current_form
from surveys.services.submissions import form_version_remember
from surveys.services.tokens import token_create
from surveys.services.users import user_upsert
from surveys.vocab import Role
user, _ = user_upsert(username="bench-reporter", role=Role.REPORTER, password="bench-password-1")
site, _ = Site.objects.get_or_create(name="Bench site", defaults={"latitude": 30.9, "longitude": 118.75})
visit = Visit.objects.create(site=site, reporter=user, started_at=dt.datetime(2025, 10, 14, tzinfo=dt.timezone.utc))
form = current_form()
form_version_remember(version=form.version, md5=form.md5, media_md5=form.media_md5)
print(token_create(user=user)[1], site.pk, visit.pk, form.version)
"""


def photo_of_size(size: int) -> bytes:
    """A JPEG of about `size` bytes (noise compresses badly, so the size is easy to hit)."""
    from PIL import Image

    image = Image.effect_noise((900, 700), 40).convert("RGB")
    quality, data = 95, b""
    while quality > 10:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        data = buffer.getvalue()
        if len(data) <= size:
            break
        quality -= 5
    return data


def _lua_bytes(data: bytes) -> str:
    return "".join(f"\\{b}" for b in data)


def openrosa_script(key: str, site_id: int, version: str, photo: bytes | None, tag: str) -> str:
    """A new instanceID per request (`tag` keeps them apart from the other runs' ids); the XML and body around it."""
    photo_xml = "<photo><image>gate.jpg</image><caption>The gate</caption></photo>" if photo else ""
    head = (f'<?xml version="1.0" encoding="UTF-8"?><data id="site_visit" version="{version}">'
            f"<started>2025-10-14T14:30:00.000+08:00</started><ended>2025-10-14T15:20:00.000+08:00</ended>"
            f"<location>30.9012 118.7521 12 4.5</location><site>{site_id}</site><observed_status>operating"
            f"</observed_status><activity_level>3</activity_level><activity_signs>gate_open cars_parked"
            f"</activity_signs><notes>Gate open, 40-50 cars.</notes><observation><metric>headcount</metric>"
            f"<low>600</low><high>700</high><method>interview</method><source_role>canteen worker</source_role>"
            f"</observation>{photo_xml}<meta><instanceID>uuid:")
    tail = "</instanceID></meta></data>"
    close = f"\r\n--{BOUNDARY}--\r\n".encode()
    part = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            f'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n')
    photo_part = (f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="gate.jpg"; filename="gate.jpg"\r\n'
                  f"Content-Type: image/jpeg\r\n\r\n").encode() + photo if photo else b""
    return UNIQUE_IDS + f"""
local head = "{_lua_bytes((part + head).encode())}"
local tail = "{_lua_bytes(tail.encode())}"
local photo = "{_lua_bytes(photo_part)}"
local close = "{_lua_bytes(close)}"
request = function()
  local id = string.gsub(next_uuid(), "%-8000%-", "-{tag}-")
  local body = head .. id .. tail .. photo .. close
  return wrk.format("POST", "/v1/key/{key}/projects/1/submission", {{
    ["Content-Type"]="multipart/form-data; boundary={BOUNDARY}", ["X-OpenRosa-Version"]="1.0",
    ["Date"]="Tue, 14 Oct 2025 07:20:00 GMT"}}, body)
end
"""


def main() -> None:
    import redis

    db_url = recreate_database("fieldsurvey_bench_odk")
    env = django_env(db_url)
    manage(env, "migrate", "--noinput")
    key, site_id, visit_id, version = manage(env, "shell", "-c", SETUP).split()[-4:]
    photo = photo_of_size(PHOTO_BYTES)
    server = Gunicorn(env, workers=2)
    try:
        json_visit = wrk(server.url, visit_script(key, int(site_id)), seconds=SECONDS)
        json_photo = wrk(server.url, upload_script(key, visit_id, photo), seconds=SECONDS)
        openrosa = wrk(server.url, openrosa_script(key, int(site_id), version, None, "9001"), seconds=SECONDS)
        openrosa_photo = wrk(server.url, openrosa_script(key, int(site_id), version, photo, "9002"), seconds=SECONDS)
    finally:
        server.stop()
        redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    stored = manage(env, "shell", "-c", "from surveys.models import OdkSubmission, Photo; "
                    "print(OdkSubmission.objects.count(), Photo.objects.count())").split()[-2:]

    def ratio(a: dict, b: dict) -> float:
        return round(a["requests_per_second"] / b["requests_per_second"], 3)

    result = {
        "setup": {"server": "gunicorn, 2 gthread workers x 8 threads (gunicorn.conf.py)",
                  "client": "wrk, 2 threads, 8 connections",
                  "seconds_per_run": SECONDS, "database": "PostgreSQL (loopback)", "broker": "Redis (loopback)",
                  "photo_bytes": len(photo),
                  "note": "measured while other work ran on the same 2 cores: compare the ratios"},
        "json_visit_post": json_visit,
        "json_photo_upload": json_photo,
        "openrosa_submission": {**openrosa, "ratio_to_json_visit_post": ratio(openrosa, json_visit)},
        "openrosa_submission_with_photo": {**openrosa_photo,
                                           "ratio_to_json_visit_post": ratio(openrosa_photo, json_visit),
                                           "ratio_to_json_photo_upload": ratio(openrosa_photo, json_photo)},
        "rows_written": {"odk_submissions": int(stored[0]), "photos": int(stored[1])},
    }
    print(write_result("odk", result).read_text())


if __name__ == "__main__":
    main()
