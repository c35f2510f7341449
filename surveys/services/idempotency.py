"""Idempotency-Key: the first response to a POST is stored and replayed to the same user.

The (user, key) unique constraint arbitrates concurrent requests: exactly one
inserts the in-flight record and runs; the others see it and answer 409 (in
flight), 422 (another request under that key) or the stored response.
"""
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
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
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now,
                    expires_at=now + settings.IDEMPOTENCY_TTL,
                )
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


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, body: bytes, content_type: str) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE, status_code=status_code, response_body=body, content_type=content_type,
    )


def idempotency_abandon(*, record: IdempotencyRecord) -> None:
    """A server error is not an answer to replay: let the client retry under the same key."""
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def idempotency_purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
