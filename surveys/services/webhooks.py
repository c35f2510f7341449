"""Signed webhook deliveries (see docs/notifications.md for the receiver's side).

Each delivery is one POST of the event as JSON with:

    X-Event: discrepancy.decided
    X-Event-Id: <uuid>          the event (a replay sends the same event again)
    X-Delivery-Id: <uuid>       this delivery (kept across its retries: deduplicate on it)
    X-Delivery-Attempt: 1
    X-Signature-Timestamp: 1796212800           Unix seconds when this try was signed
    X-Signature: sha256=<hex>   HMAC-SHA256(secret, "<timestamp>." + body)

The receiver recomputes the signature over the raw body and refuses one whose timestamp is
too old (a replayed capture). A 2xx answer delivers it; anything else is tried again.
"""
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings

from surveys.models import Delivery, DeliveryAttempt, OutboxEvent

USER_AGENT = "FieldSurvey-Webhooks/1"


def webhook_body(event: OutboxEvent) -> bytes:
    envelope = {"id": str(event.pk), "event": event.event, "created_at": event.created_at.isoformat(),
                "data": event.payload}
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_verify(secret: str, *, timestamp: str, signature: str, body: bytes, tolerance: int = 300,
                   now: float | None = None) -> bool:
    """The receiver's check (used by our tests, and the example in docs/notifications.md)."""
    try:
        signed_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - signed_at) > tolerance:
        return False
    return hmac.compare_digest(webhook_signature(secret, signed_at, body), signature or "")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer like any other non-2xx: not delivered


_opener = urllib.request.build_opener(_NoRedirects)


def webhook_send(delivery: Delivery) -> str:
    """POST one delivery; log the attempt. Returns "" when delivered, else what went wrong."""
    body = webhook_body(delivery.event)
    timestamp = int(time.time())
    request = urllib.request.Request(delivery.endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        "X-Event": delivery.event.event, "X-Event-Id": str(delivery.event_id), "X-Delivery-Id": str(delivery.pk),
        "X-Delivery-Attempt": str(delivery.attempts), "X-Signature-Timestamp": str(timestamp),
        "X-Signature": webhook_signature(delivery.endpoint.secret, timestamp, body),
    })
    started = time.monotonic()
    status, error = None, ""
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
            response.read(4096)
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
        exc.close()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    if status is not None and not 200 <= status < 300 and not error:
        error = f"HTTP {status}"
    DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, status_code=status,
                                   error=error[:2000], duration_ms=int((time.monotonic() - started) * 1000))
    return error
