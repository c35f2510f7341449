"""Retry storms against PostgreSQL through a real gunicorn."""
import json
import threading
import urllib.error
import urllib.request
import uuid

import pytest
from django.db import connection

from surveys.models import IdempotencyRecord, Visit
from surveys.services.tokens import token_create
from tests.factories import SiteFactory, make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _post(url: str, token: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _storm(count: int, send) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        barrier.wait()
        try:
            results[index] = send()
        except Exception as exc:  # reported in the assertion, not lost in the thread
            results[index] = (0, {"error": repr(exc)})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _backend_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def test_thirty_concurrent_posts_of_one_visit_id_create_exactly_one_visit(gunicorn):
    reporter = make_user("reporter")
    _, token = token_create(user=reporter)
    site = SiteFactory()
    visit_id = str(uuid.uuid4())
    body = {"id": visit_id, "site": site.pk, "started_at": "2025-10-14T14:05:00+08:00", "notes": "storm"}
    before = _backend_connections()

    results = _storm(30, lambda: _post(f"http://127.0.0.1:{gunicorn}/api/v1/visits/", token, body))

    statuses = sorted(status for status, _ in results)
    assert set(statuses) <= {200, 201} and statuses.count(201) == 1, statuses
    assert {data["id"] for _, data in results} == {visit_id}
    assert Visit.objects.filter(pk=visit_id).count() == 1
    assert _backend_connections() <= before + 2  # every request closed its connection (the server's
    # health check may still be closing one)


def test_concurrent_requests_with_one_idempotency_key_run_once(gunicorn):
    reporter = make_user("reporter")
    _, token = token_create(user=reporter)
    site = SiteFactory()
    body = {"site": site.pk, "started_at": "2025-10-14T14:05:00+08:00", "notes": "keyed storm"}
    key = {"Idempotency-Key": str(uuid.uuid4())}

    results = _storm(10, lambda: _post(f"http://127.0.0.1:{gunicorn}/api/v1/visits/", token, body, key))

    created = [data for status, data in results if status == 201]
    assert {status for status, _ in results} <= {201, 409}
    assert len({data["id"] for data in created}) == 1  # replays carry the first answer
    assert Visit.objects.count() == 1
    assert IdempotencyRecord.objects.get().state == "done"


def test_a_key_claimed_by_a_running_transaction_is_in_flight_after_a_short_wait():
    import time

    from django.db import connections, transaction

    from surveys.errors import IdempotencyKeyInFlight
    from surveys.services.idempotency import idempotency_begin

    reporter = make_user("reporter")
    claimed, release = threading.Event(), threading.Event()

    def first_request():
        try:
            with transaction.atomic():
                idempotency_begin(user=reporter, key="k-1", fingerprint="f")
                claimed.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_request)
    thread.start()
    assert claimed.wait(30)
    started = time.monotonic()
    with pytest.raises(IdempotencyKeyInFlight), transaction.atomic():
        idempotency_begin(user=reporter, key="k-1", fingerprint="f")
    waited = time.monotonic() - started
    release.set()
    thread.join(30)
    assert 1.5 < waited < 10  # the lock_timeout, not forever
