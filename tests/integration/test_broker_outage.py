"""A broker outage under real processes: gunicorn, a Celery worker and beat, on a Redis of the test's own.

Redis is stopped while reporters upload photos and post visits, then started again. Every
answer must be true (a 201 or 200 means the row and its original are stored), nothing may
be lost, and everything must be processed within a minute of the broker's return.
"""
import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from surveys.models import Photo, UnsentTask, Visit
from surveys.services.tokens import token_create
from tests.factories import SiteFactory, VisitFactory, make_user
from tests.imaging import samples
from tests.integration.conftest import Beat, Gunicorn, Worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
OUTAGE_REQUESTS = 5


class Api:
    def __init__(self, port: int, token: str):
        self.base, self.token = f"http://127.0.0.1:{port}/api/v1", token

    def send(self, method: str, path: str, body: bytes, content_type: str, **headers) -> tuple[int, dict]:
        request = urllib.request.Request(f"{self.base}{path}", data=body, method=method, headers={
            "Authorization": f"Token {self.token}", "Content-Type": content_type, **headers})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def post_visit(self, site_id: int, **headers) -> tuple[int, dict]:
        body = {"id": str(uuid.uuid4()), "site": site_id, "started_at": "2025-10-14T06:00:00Z",
                "notes": "A guard said about 600 people work here."}
        return self.send("POST", "/visits/", json.dumps(body).encode(), "application/json", **headers)

    def upload(self, visit_id, content: bytes, photo_id: str) -> tuple[int, dict]:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n{photo_id}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                f"Content-Type: image/jpeg\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.send("POST", f"/visits/{visit_id}/photos/", body, f"multipart/form-data; boundary={boundary}")


def _stored(photo_id) -> bool:
    photo = Photo.objects.filter(pk=photo_id).first()
    return photo is not None and (Path(settings.MEDIA_ROOT) / photo.original.name).is_file()


def test_nothing_is_lost_or_falsely_acknowledged_while_the_broker_is_down(own_redis, tmp_path):
    broker = {"CELERY_BROKER_URL": own_redis.url, "CELERY_TASK_ALWAYS_EAGER": "0"}
    reporter = make_user("reporter")
    _, token = token_create(user=reporter, device="outage")
    site, visit = SiteFactory(), VisitFactory(reporter=reporter)
    web, worker = Gunicorn(extra_env=broker), Worker(extra_env=broker, name="outage")
    beat = Beat(tmp_path, extra_env=broker)
    try:
        worker.wait_ready()
        api = Api(web.port, token)
        status, before = api.post_visit(site.pk)
        assert status == 201
        wait_for(lambda: Visit.objects.get(pk=before["id"]).processing == "done", timeout=60)

        own_redis.stop()
        answers, photo = [], samples.jpeg_with_metadata()
        for number in range(OUTAGE_REQUESTS):
            answers.append(("visit", *api.post_visit(site.pk, **{"Idempotency-Key": f"outage-{number}"})))
            answers.append(("photo", *api.upload(visit.pk, photo, str(uuid.uuid4()))))
        status, retried = api.upload(visit.pk, photo, answers[1][2]["id"])
        assert (status, retried.get("id")) == (200, answers[1][2]["id"])  # a phone's retry finds the stored photo

        assert [(kind, status) for kind, status, _ in answers] == [("visit", 201), ("photo", 201)] * OUTAGE_REQUESTS
        visit_ids = [body["id"] for kind, _, body in answers if kind == "visit"]
        photo_ids = [body["id"] for kind, _, body in answers if kind == "photo"]
        assert Visit.objects.filter(pk__in=visit_ids).count() == OUTAGE_REQUESTS
        assert all(_stored(photo_id) for photo_id in photo_ids)
        assert UnsentTask.objects.count() >= 2 * OUTAGE_REQUESTS  # each process_* message, and its site match

        own_redis.start()
        back = time.monotonic()
        wait_for(lambda: Visit.objects.filter(pk__in=visit_ids, processing="done").count() == OUTAGE_REQUESTS
                 and Photo.objects.filter(pk__in=photo_ids, status="ready").count() == OUTAGE_REQUESTS,
                 timeout=60, interval=0.5)
        assert time.monotonic() - back < 60
        assert all(_stored(photo_id) for photo_id in photo_ids)
        wait_for(lambda: not UnsentTask.objects.exists(), timeout=30)
    finally:
        beat.stop()
        worker.stop()
        web.stop()
