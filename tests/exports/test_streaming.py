"""Exports stream from a cursor: first bytes early, memory flat, queries fixed."""
import datetime as dt
import tracemalloc
import uuid

import pytest
from django.db import connection

from surveys.models import Visit
from surveys.selectors import exports
from tests.exports.conftest import read
from tests.factories import ObservationFactory, SiteFactory, VisitFactory, make_user

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def bulk_visits(count: int) -> None:
    site = SiteFactory(name="恒达光伏玻璃")
    reporters = [make_user("reporter") for _ in range(3)]
    Visit.objects.bulk_create(
        (Visit(id=uuid.uuid4(), site=site, reporter=reporters[i % 3], started_at=START + dt.timedelta(seconds=i),
               latitude=31.0, longitude=121.0, notes=f"第{i}次: about 600-700 people, =not a formula",
               activity_signs=["cars", "machines"], activity_level=i % 5)
         for i in range(count)),
        batch_size=5000,
    )


@pytest.fixture
def counted_rows(monkeypatch):
    """How many rows the export has taken from the database cursor so far."""
    taken = {"rows": 0}
    original = exports._rows

    def counting(plan):
        for row in original(plan):
            taken["rows"] += 1
            yield row

    monkeypatch.setattr(exports, "_rows", counting)
    return taken


@pytest.mark.parametrize("name", ["visits.csv", "visits.jsonl", "visits.geojson"])
def test_first_bytes_arrive_before_the_rows_are_exhausted(editor_client, counted_rows, name):
    if name.endswith(".csv") and connection.vendor == "postgresql":
        pytest.skip("CSV takes the COPY path on PostgreSQL: see test_postgres")
    bulk_visits(5000)
    response = editor_client.get(f"/api/v1/exports/{name}")
    assert response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks) + next(chunks)  # (CSV: the header, then) the first 64 KB
    assert first and counted_rows["rows"] < 1000
    total_lines = first.count(b"\n") + sum(chunk.count(b"\n") for chunk in chunks)
    assert counted_rows["rows"] == 5000
    assert total_lines >= 5000


def test_memory_stays_flat_over_50k_rows(exporter_client):
    bulk_visits(50_000)
    response = exporter_client.get("/api/v1/exports/visits.csv")
    tracemalloc.start()
    try:
        size = rows = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 50_001
    assert size > 10 * 1024 * 1024  # the export is far larger than what was held at once
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize("name", ["visits.csv", "visits.jsonl", "visits.geojson", "observations.csv",
                                  "claims.csv", "discrepancies.csv", "claimreview.jsonld"])
def test_query_count_does_not_grow_with_rows(exporter_client, django_assert_max_num_queries, name):
    read(exporter_client.get(f"/api/v1/exports/{name}"))  # the token's first use is recorded once

    def export_queries(rows: int) -> int:
        for _ in range(rows):
            ObservationFactory(visit=VisitFactory(reporter=make_user("reporter")))
        with django_assert_max_num_queries(6) as captured:
            read(exporter_client.get(f"/api/v1/exports/{name}"))
        return len(captured.captured_queries)

    assert export_queries(2) == export_queries(20)
