import uuid

import pytest

from surveys.models import Observation, Visit
from tests.conftest import client_for
from tests.factories import SiteFactory, make_user
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_visit_posted_through_the_api_is_processed_by_a_real_worker(celery_worker):
    reporter = make_user("reporter")
    site = SiteFactory()
    visit_id = str(uuid.uuid4())
    response = client_for(reporter).post("/api/v1/visits/", {
        "id": visit_id, "site": site.pk, "started_at": "2025-10-14T14:05:00+08:00",
        "notes": "A worker at the canteen said about 600-700 people work on the day shift.",
    }, format="json")
    assert response.status_code == 201
    assert response.json()["processing"] == "pending"  # the request did not do the work

    wait_for(lambda: Visit.objects.get(pk=visit_id).processing == "done")
    observation = Observation.objects.get(visit_id=visit_id)
    assert (observation.metric, observation.low, observation.high) == ("headcount", 600, 700)
    assert observation.extracted


RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def _rabbitmq_reachable() -> bool:
    from kombu import Connection

    try:
        with Connection(RABBITMQ_URL, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def test_rabbitmq_works_as_the_broker_too(transactional_db):
    from kombu import Connection

    from surveys import tasks
    from tests.factories import VisitFactory
    from tests.integration.conftest import Worker, _loud_skip

    if not _rabbitmq_reachable():
        _loud_skip(f"RabbitMQ at {RABBITMQ_URL} cannot be reached.")
    with Connection(RABBITMQ_URL) as conn:  # a clean queue: nothing left by an earlier run
        conn.default_channel.queue_delete("celery")
    worker = Worker(extra_env={"CELERY_BROKER_URL": RABBITMQ_URL}, name="rabbit")
    try:
        worker.wait_ready()
        visit = VisitFactory(notes="The guard said only a few dozen companies are here.")
        with Connection(RABBITMQ_URL) as conn:
            tasks.process_visit.apply_async((str(visit.pk), visit.revision), connection=conn)
        wait_for(lambda: Visit.objects.get(pk=visit.pk).processing == "done")
        assert Observation.objects.get(visit=visit).metric == "enterprises"
    finally:
        worker.stop()
