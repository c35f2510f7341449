"""Enqueueing after commit: a broker that refuses the message never undoes or fails a committed write."""
import uuid

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from kombu.exceptions import OperationalError as BrokerError

from config.celery_app import app
from surveys import tasks
from surveys.models import Photo, UnsentTask, Visit
from surveys.services.unsent import unsent_tasks_resend
from tests.factories import SiteFactory, VisitFactory
from tests.imaging import samples
from tests.photos.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Every message sent is refused, as Celery does once its publish retries are spent."""
    def refuse(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (tasks.process_visit, tasks.process_photo, tasks.match_site):
        monkeypatch.setattr(task, "apply_async", refuse)
    return monkeypatch


def test_override_settings_reaches_celery():
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        assert app.conf.task_always_eager is False and app.conf.broker_url == "redis://127.0.0.1:1/0"
    assert app.conf.task_always_eager is True


def test_a_visit_posted_while_the_broker_is_down_is_stored_and_its_message_kept(
        reporter_client, broker_down, django_capture_on_commit_callbacks):
    visit_id = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        response = reporter_client.post("/api/v1/visits/", {
            "id": visit_id, "site": SiteFactory().pk, "started_at": "2025-10-14T06:00:00Z",
            "notes": "About 600 people work here."}, format="json", HTTP_IDEMPOTENCY_KEY=visit_id)
    assert response.status_code == 201
    assert list(UnsentTask.objects.values_list("task", "args")) == [("surveys.tasks.process_visit", [visit_id, 1])]

    broker_down.undo()  # the broker is back: the sweep sends the message, the eager worker runs it
    assert unsent_tasks_resend() == 1
    assert Visit.objects.get(pk=visit_id).processing == "done" and not UnsentTask.objects.exists()


def test_a_photo_uploaded_while_the_broker_is_down_keeps_its_original(
        reporter_client, reporter, broker_down, django_capture_on_commit_callbacks):
    visit, content = VisitFactory(reporter=reporter), samples.jpeg_with_metadata()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(reporter_client, visit, content)
    assert response.status_code == 201
    photo = Photo.objects.get(pk=response.json()["id"])
    assert default_storage.exists(photo.original.name)
    retry = upload(reporter_client, visit, content, id=str(photo.pk))
    assert retry.status_code == 200 and retry.json()["status"] == "pending"

    broker_down.undo()
    assert unsent_tasks_resend() == 1
    photo.refresh_from_db()
    assert photo.status == "ready", photo.error


def test_the_resend_sweep_stops_at_the_first_refusal_and_keeps_the_order(broker_down):
    for number in (1, 2):
        UnsentTask.objects.create(task="surveys.tasks.match_site", args=[number])
    assert unsent_tasks_resend() == 0
    assert list(UnsentTask.objects.order_by("id").values_list("args", flat=True)) == [[1], [2]]
    sent = []
    broker_down.setattr(tasks.match_site, "apply_async", lambda args, kwargs: sent.append(args))
    assert unsent_tasks_resend() == 2 and sent == [[1], [2]] and not UnsentTask.objects.exists()


def test_a_missing_stored_file_is_a_410(reporter_client, reporter, editor_client):
    photo_id = upload(reporter_client, VisitFactory(reporter=reporter), samples.png_bytes()).json()["id"]
    default_storage.delete(Photo.objects.get(pk=photo_id).original.name)
    response = editor_client.get(f"/api/v1/photos/{photo_id}/file/", {"variant": "original"})
    assert (response.status_code, response.json()) == (410, {"detail": "The stored original file of this photo is missing."})
