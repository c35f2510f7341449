"""The outbox on PostgreSQL with real Celery workers: a committed event is delivered by a worker, and a
worker killed after committing the event (before its delivery was queued) still delivers it exactly once."""
import time
from pathlib import Path

import pytest

from surveys import tasks
from surveys.models import Delivery, DeliveryAttempt, NotificationPreference, OutboxEvent, WebhookEndpoint
from surveys.services.review import discrepancy_review
from tests.desk.conftest import make_discrepancy
from tests.factories import ClaimFactory, ObservationFactory, VisitFactory, make_user
from tests.integration.conftest import Beat, Worker, wait_for
from tests.notifications.conftest import SECRET, Receiver

pytestmark = pytest.mark.integration


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def _endpoint(receiver, events):
    return WebhookEndpoint.objects.create(name="Partner", url=receiver.url, secret=SECRET, events=events)


def _mails(folder: Path) -> list[str]:
    return [p.read_text() for p in sorted(folder.glob("*.log"))] if folder.exists() else []


def test_a_worker_delivers_a_committed_decision(purge_broker, transactional_db, receiver, tmp_path):
    _endpoint(receiver, ["discrepancy.decided"])
    editor = make_user("editor")
    visit = VisitFactory(reporter=make_user("reporter"))
    discrepancy = make_discrepancy(claim=ClaimFactory(site=visit.site), observations=[ObservationFactory(visit=visit)])
    worker = Worker(name="outbox")
    try:
        worker.wait_ready()
        discrepancy_review(discrepancy=discrepancy, reviewer=editor, status="confirmed", note="Seen.")  # commits
        wait_for(lambda: Delivery.objects.filter(event__event="discrepancy.decided", state="sent").exists(),
                 timeout=60)
    finally:
        worker.stop()
    [request] = receiver.requests
    assert request["verified"] and request["body"]["data"]["status"] == "confirmed"
    delivery = Delivery.objects.get(event__event="discrepancy.decided")
    assert request["headers"]["X-Delivery-Id"] == str(delivery.pk) and delivery.attempts == 1
    assert list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("status_code", flat=True)) == [204]


def test_a_worker_killed_after_committing_the_event_still_delivers_it_exactly_once(purge_broker, transactional_db,
                                                                                    receiver, tmp_path):
    """The follow-up visit's processing commits `visit.processed` and `followup.answered`; the worker is killed
    before it queues their delivery. The sweep of the next worker delivers each once: one webhook, one mail."""
    mail_folder = tmp_path / "mail"
    mail_env = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(mail_folder)}
    _endpoint(receiver, ["visit.processed"])
    editor = make_user("editor", "wang-editor")
    editor.email = "wang@example.org"
    editor.save()
    NotificationPreference.objects.create(user=editor, language="en")
    reporter = make_user("reporter")
    first_visit = VisitFactory(reporter=reporter)
    discrepancy = make_discrepancy(claim=ClaimFactory(site=first_visit.site),
                                   observations=[ObservationFactory(visit=first_visit)])
    discrepancy.assignee = editor
    discrepancy.save()
    followup = VisitFactory(site=first_visit.site, reporter=reporter, followup_of=discrepancy,
                            notes="The guard said about 1,800 people work here now.")

    killed = Worker(name="killed", extra_env={"OUTBOX_TEST_DELAY_SECONDS": "120", **mail_env})
    try:
        killed.wait_ready()
        tasks.process_visit.delay(str(followup.pk), followup.revision)
        wait_for(lambda: OutboxEvent.objects.filter(event="followup.answered").exists(), timeout=60)
        killed.kill()  # SIGKILL after the commit, in the pause before the delivery is queued
    finally:
        killed.stop()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}
    assert receiver.requests == [] and _mails(mail_folder) == []

    # The next worker and beat: the sweep finds the deliveries; the redelivered processing message is a no-op.
    env = {"OUTBOX_SWEEP_SECONDS": "1", "CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_SECONDS": "1",
           **mail_env}
    worker, beat = Worker(name="next", extra_env=env), Beat(tmp_path, extra_env=env)
    try:
        worker.wait_ready()
        wait_for(lambda: set(Delivery.objects.values_list("state", flat=True)) == {"sent"}, timeout=90)
        time.sleep(5)  # several more sweeps and the redelivered message: nothing more may go out
    finally:
        beat.stop()
        worker.stop()
    assert OutboxEvent.objects.filter(event="visit.processed").count() == 1
    [request] = receiver.requests
    assert request["verified"] and request["body"]["data"]["id"] == str(followup.pk)
    [message] = _mails(mail_folder)
    assert "To: wang@example.org" in message and "A follow-up visit arrived" in message
    assert list(Delivery.objects.values_list("attempts", flat=True)) == [1, 1]
