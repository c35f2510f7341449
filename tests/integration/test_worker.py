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
