"""Idempotency-Key: the first response to a POST is stored and replayed to the same user.

The (user, key) unique constraint arbitrates concurrent requests: exactly one
inserts the claim and runs; the others see it and get the stored response, or
IdempotencyKeyInFlight (409) or IdempotencyKeyReused (422: another request under
that key). The claim commits together with the request's work and its answer (see
api/idempotency.py), so a request that dies leaves its key free.
"""
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from surveys.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from surveys.models import IdempotencyRecord


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: bytes
    content_type: str


# Claim the key in one statement: no savepoint, and on PostgreSQL the wait on another
# transaction's claim is capped by a lock_timeout set by the statement itself (for the rest
# of the request's transaction too: no request should wait longer than that on a lock).
_CLAIM = """
INSERT INTO surveys_idempotencyrecord (user_id, key, fingerprint, state, content_type, created_at, expires_at)
SELECT %s, %s, %s, %s, '', %s, %s WHERE {guard}
ON CONFLICT (user_id, key) DO NOTHING
RETURNING id
"""
_GUARDS = {"postgresql": "set_config('lock_timeout', %s, true) IS NOT NULL", "sqlite": "true"}
IN_FLIGHT_LOCK_WAIT = "2s"


def _claim(*, user, key: str, fingerprint: str, now: datetime) -> int | None:
    guard = _GUARDS[connection.vendor]
    instant = connection.ops.adapt_datetimefield_value
    params = [user.pk, key, fingerprint, IdempotencyRecord.State.IN_FLIGHT.value, instant(now),
              instant(now + settings.IDEMPOTENCY_TTL)]
    if "%s" in guard:
        params.append(IN_FLIGHT_LOCK_WAIT)
    try:
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM.format(guard=guard), params)
            row = cursor.fetchone()
    except OperationalError:
        # Another request's claim on this key is still running (lock timeout); this
        # transaction is now unusable, so nothing of it may commit.
        transaction.set_rollback(True)
        raise IdempotencyKeyInFlight() from None
    return row[0] if row else None


def idempotency_begin(*, user, key: str, fingerprint: str, now: datetime | None = None) -> Replay | IdempotencyRecord:
    """Claim the key for this request, or say what to answer instead.

    Runs inside the request's transaction (see api/idempotency.py): the claim commits
    only together with the stored answer, so a committed record is always done.
    """
    now = now or timezone.now()
    for _ in range(3):
        claimed = _claim(user=user, key=key, fingerprint=fingerprint, now=now)
        if claimed is not None:
            return IdempotencyRecord(pk=claimed, user=user, key=key, fingerprint=fingerprint)
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            continue
        if record.expires_at <= now:
            IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
            continue
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if record.state == IdempotencyRecord.State.IN_FLIGHT:
            raise IdempotencyKeyInFlight()  # the same connection's own request, not yet answered
        return Replay(record.status_code, bytes(record.response_body), record.content_type)
    raise IdempotencyKeyInFlight()


_FINISH = "UPDATE surveys_idempotencyrecord SET state = %s, status_code = %s, response_body = %s, content_type = %s " \
          "WHERE id = %s"


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, body: bytes, content_type: str) -> None:
    # Hand-written like the claim: it runs on every keyed POST.
    with connection.cursor() as cursor:
        cursor.execute(_FINISH, [IdempotencyRecord.State.DONE.value, status_code, body, content_type, record.pk])


def idempotency_purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
