"""Idempotency-Key: the first response to a POST is stored and replayed to the same user.

The (user, key) unique constraint arbitrates concurrent requests: exactly one
inserts the claim and runs; the others see it and answer 409 (in flight), 422
(another request under that key) or the stored response. The claim is meant to
commit together with the request's work (see api/idempotency.py); a claim left
in flight by a server that died is freed after IDEMPOTENCY_IN_FLIGHT_TIMEOUT.
"""
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from surveys.models import IdempotencyRecord


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: bytes
    content_type: str


class KeyInFlight(Exception):
    pass


class KeyReused(Exception):
    pass


def idempotency_begin(*, user, key: str, fingerprint: str, now: datetime | None = None) -> Replay | IdempotencyRecord:
    """Claim the key for this request, or say what to answer instead."""
    now = now or timezone.now()
    for _ in range(3):
        try:
            with transaction.atomic(), _short_lock_wait():
                return IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now,
                    expires_at=now + settings.IDEMPOTENCY_TTL,
                )
        except OperationalError:
            raise KeyInFlight() from None  # the claim of a request still running held us up
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if record is None:
                continue
            stale_in_flight = (record.state == IdempotencyRecord.State.IN_FLIGHT
                               and record.created_at < now - settings.IDEMPOTENCY_IN_FLIGHT_TIMEOUT)
            if record.expires_at <= now or stale_in_flight:
                # Expired, or its request died without an answer: the key is free again.
                IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
                continue
            if record.fingerprint != fingerprint:
                raise KeyReused()
            if record.state == IdempotencyRecord.State.IN_FLIGHT:
                raise KeyInFlight()
            return Replay(record.status_code, bytes(record.response_body), record.content_type)
    raise KeyInFlight()


class _short_lock_wait:
    """On PostgreSQL, wait at most IN_FLIGHT_LOCK_WAIT for another transaction's claim on the key.

    The limit stays for the rest of the request's transaction: no request should wait
    longer than that on a lock either, and resetting it would cost a round trip.
    """

    def __enter__(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = %s", [IN_FLIGHT_LOCK_WAIT])

    def __exit__(self, *exc):
        return False


IN_FLIGHT_LOCK_WAIT = "2s"


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, body: bytes, content_type: str) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE, status_code=status_code, response_body=body, content_type=content_type,
    )


def idempotency_purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
