"""The sync feed on PostgreSQL (committed rows only, by snapshot horizon): deletions scoped like the rows."""
import time

import pytest

from api.sync import committed_horizon
from surveys.models import Tombstone
from tests.api.test_sync import SINCE, drain
from tests.factories import ObservationFactory, VisitFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_reporters_see_only_their_own_deletions_on_postgresql(reporter_client, other_reporter_client, reporter,
                                                               other_reporter, editor_client):
    mine, theirs = VisitFactory(reporter=reporter), VisitFactory(reporter=other_reporter)
    their_observation = ObservationFactory(visit=theirs)
    _, cursor = drain(reporter_client, f"/api/v1/visits/?updated_since={SINCE}")
    assert other_reporter_client.delete(f"/api/v1/visits/{theirs.pk}/").status_code == 204
    assert reporter_client.delete(f"/api/v1/visits/{mine.pk}/").status_code == 204
    # The feed shows what every running transaction of the cluster will see as committed; another
    # database's long transaction on a shared server holds that back for a moment.
    latest = max(Tombstone.objects.values_list("sync_txid", flat=True))
    deadline = time.monotonic() + 30
    while committed_horizon() <= latest and time.monotonic() < deadline:
        time.sleep(0.2)

    for start in (f"updated_since={SINCE}", f"cursor={cursor}"):
        items, _ = drain(reporter_client, f"/api/v1/visits/?{start}")
        assert [(item["id"], item.get("deleted")) for item in items] == [(str(mine.pk), True)]
    assert drain(reporter_client, f"/api/v1/observations/?updated_since={SINCE}")[0] == []
    items, _ = drain(other_reporter_client, f"/api/v1/observations/?updated_since={SINCE}")
    assert [item["id"] for item in items] == [str(their_observation.pk)]
    items, _ = drain(editor_client, f"/api/v1/visits/?updated_since={SINCE}")
    assert sorted(item["id"] for item in items) == sorted([str(mine.pk), str(theirs.pk)])
    assert "cursor" in reporter_client.get("/api/v1/visits/?cursor=forged").json()["errors"]
