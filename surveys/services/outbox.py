"""The outbox: mails and webhooks written in the event's transaction, sent by a worker after it.

Call `emit(event, obj, recipients=...)` inside the transaction that makes the event happen:

    with transaction.atomic():
        ...  # the change
        outbox.emit("followup.requested", discrepancy, recipients=[reporter])

`emit` writes an OutboxEvent and one Delivery per recipient (a user's mail or digest entry,
each webhook endpoint registered for the event) in that same transaction, and queues their
delivery with `delay_on_commit`. So:

- a rollback sends nothing (the rows are gone with it);
- a crash after the commit (the worker killed, the message lost) only delays a delivery: the
  beat sweep (`deliver_outbox_due`, every OUTBOX_SWEEP_SECONDS) sends whatever is due;
- a delivery is sent once: a run claims it (state `sending`, a lease) under a row lock,
  `select_for_update(skip_locked=True)` on PostgreSQL, before sending, and marks it `sent`
  after. Only a worker killed between sending and marking sends it again, after
  OUTBOX_LEASE_SECONDS; receivers deduplicate on X-Delivery-Id.

A failed delivery (SMTP or the receiver down, a non-2xx answer) is tried again after
OUTBOX_RETRY_BASE_SECONDS x 2^(attempt-1) (at most OUTBOX_RETRY_MAX_SECONDS), OUTBOX_MAX_ATTEMPTS
times in all; every webhook attempt is logged (DeliveryAttempt) with its response code.

Events (docs/notifications.md): the webhook events `visit.processed`, `photo.ready`,
`discrepancy.opened`, `discrepancy.decided`, and the mail-only `followup.requested` (to the
reporter), `followup.answered` and `discrepancy.new_evidence` (to the assignee). A new
high-severity discrepancy (`discrepancy.opened`) also goes to the editors who subscribed to
them, immediately or in their daily digest. Each user's NotificationPreference turns them off.
"""
import datetime as dt
import logging
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from surveys import tasks
from surveys.errors import Conflict
from surveys.models import Delivery, NotificationPreference, OutboxEvent, WebhookEndpoint
from surveys.roles import STAFF_ROLES
from surveys.vocab import Severity

log = logging.getLogger(__name__)

WEBHOOK_EVENTS = ("visit.processed", "photo.ready", "discrepancy.opened", "discrepancy.decided")
# Mail events sent to the recipients the caller names, and the preference that turns each off.
MAIL_EVENTS = {
    "followup.requested": "followup_requests",
    "followup.answered": "followup_answers",
    "discrepancy.new_evidence": "new_evidence",
}
# Sent to the editors subscribed to high-severity discrepancies (preference `high_severity`).
HIGH_SEVERITY_EVENT = "discrepancy.opened"
EVENTS = (*WEBHOOK_EVENTS, *MAIL_EVENTS)

State = Delivery.State
Channel = Delivery.Channel
Choice = NotificationPreference.Choice


def emit(event: str, obj, *, recipients: Iterable = (), key: str | None = None) -> OutboxEvent | None:
    """Record `event` about `obj` (a discrepancy, visit or photo) for delivery after commit.

    `recipients`: the users a mail event is for (their preferences decide); webhook endpoints
    and high-severity subscribers are found here. `key` makes the event happen once: emitting
    again with the same key (a re-run) does nothing and returns None.
    """
    created = emit_many(event, [obj], recipients=recipients, keys=[key] if key else None)
    return created[0] if created else None


@transaction.atomic(savepoint=False)  # a part of the caller's transaction (or its own, outside one)
def emit_many(event: str, objs: list, *, recipients: Iterable = (), keys: list[str] | None = None) -> list:
    """`emit` for many objects of one kind, in a handful of queries whatever their number."""
    from surveys.selectors.outbox import event_payloads

    if event not in EVENTS:
        raise ValueError(f"unknown outbox event {event!r}")
    if not objs:
        return []
    payloads = event_payloads(objs)
    now = timezone.now()
    events = [OutboxEvent(event=event, key=keys[i] if keys else None, object_type=obj._meta.label_lower,
                          object_id=str(obj.pk), payload=payloads[obj.pk][0], context=payloads[obj.pk][1])
              for i, obj in enumerate(objs) if obj.pk in payloads]
    if keys:  # keep only the events not already emitted under their key
        OutboxEvent.objects.bulk_create(events, ignore_conflicts=True)
        kept = set(OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).order_by().values_list("pk", flat=True))
        events = [e for e in events if e.pk in kept]
    else:
        OutboxEvent.objects.bulk_create(events)
    if not events:
        return []

    deliveries = []
    if event in WEBHOOK_EVENTS:
        endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if event in (e.events or [])]
        deliveries += [Delivery(event=e, channel=Channel.WEBHOOK, endpoint=endpoint, next_attempt_at=now)
                       for e in events for endpoint in endpoints]
    if event in MAIL_EVENTS:
        wanted = _users_choosing(MAIL_EVENTS[event], [u for u in recipients if u is not None])
        deliveries += [Delivery(event=e, channel=Channel.EMAIL, user=user, next_attempt_at=now)
                       for e in events for user, _ in wanted]
    if event == HIGH_SEVERITY_EVENT:
        high = [e for e in events if e.payload.get("severity") == Severity.HIGH.value]
        if high:
            digest_at = next_digest_at(now)
            for user, choice in _high_severity_subscribers():
                channel, due = (Channel.DIGEST, digest_at) if choice == Choice.DIGEST else (Channel.EMAIL, now)
                deliveries += [Delivery(event=e, channel=channel, user=user, next_attempt_at=due) for e in high]
    Delivery.objects.bulk_create(deliveries, batch_size=1000)
    now_due = sorted({str(d.event_id) for d in deliveries if d.next_attempt_at <= now})
    if now_due:
        if settings.OUTBOX_TEST_DELAY_SECONDS:  # test-only: a window to kill the worker after the commit
            transaction.on_commit(lambda: time.sleep(settings.OUTBOX_TEST_DELAY_SECONDS))
        tasks.deliver_outbox.delay_on_commit(now_due)
    return events


def _preferences(users) -> dict[int, NotificationPreference]:
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users])}
    return {u.pk: found.get(u.pk) or NotificationPreference(user=u) for u in users}


def _users_choosing(field: str, users: list) -> list[tuple]:
    """(user, choice) for the users who want mails of this kind and can receive them."""
    users = list({u.pk: u for u in users if u.is_active and u.email}.values())
    preferences = _preferences(users)
    return [(u, getattr(preferences[u.pk], field)) for u in users if getattr(preferences[u.pk], field) != Choice.OFF]


def _high_severity_subscribers() -> list[tuple]:
    """(editor, choice) for each active editor or admin subscribed to new high-severity discrepancies."""
    staff = Q(user__is_superuser=True) | Q(user__groups__name__in=[role.value for role in STAFF_ROLES])
    rows = (NotificationPreference.objects.exclude(high_severity=Choice.OFF).filter(staff, user__is_active=True)
            .exclude(user__email="").select_related("user").distinct())
    return [(preference.user, preference.high_severity) for preference in rows]


def next_digest_at(now: dt.datetime) -> dt.datetime:
    """The next daily digest: NOTIFICATIONS_DIGEST_HOUR o'clock in DESK_TIME_ZONE."""
    zone = zoneinfo.ZoneInfo(settings.DESK_TIME_ZONE)
    local = now.astimezone(zone)
    at = local.replace(hour=settings.NOTIFICATIONS_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at = (at + dt.timedelta(days=1)).replace(hour=settings.NOTIFICATIONS_DIGEST_HOUR)
    return at.astimezone(dt.UTC)


# ------------------------------------------------------------------ delivery
def _due(now: dt.datetime) -> Q:
    lease_gone = now - dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    return (Q(state=State.PENDING, next_attempt_at__lte=now)
            | Q(state=State.SENDING, claimed_at__lt=lease_gone))


def _claim(rows, *, limit: int | None = None) -> list[Delivery]:
    """Claim the due ones of these deliveries for this run: locked, skipping rows another run holds."""
    now = timezone.now()
    with transaction.atomic():
        due = (rows.filter(_due(now)).select_for_update(skip_locked=True, of=("self",))
               .select_related("event", "endpoint", "user").order_by("next_attempt_at", "pk"))
        claimed = list(due[:limit] if limit else due)
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    for delivery in claimed:
        delivery.state, delivery.claimed_at, delivery.attempts = State.SENDING, now, delivery.attempts + 1
    return claimed


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed try: exponential, capped."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)


def _finish(delivery: Delivery, error: str = "") -> None:
    """Mark the try's outcome, unless the lease was lost meanwhile (another run owns it now)."""
    now = timezone.now()
    mine = Delivery.objects.filter(pk=delivery.pk, state=State.SENDING, claimed_at=delivery.claimed_at)
    if not error:
        mine.update(state=State.SENT, sent_at=now, claimed_at=None, last_error="")
    elif delivery.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        log.warning("delivery %s given up after %d attempts: %s", delivery.pk, delivery.attempts, error)
        mine.update(state=State.FAILED, claimed_at=None, last_error=error[:2000])
    else:
        mine.update(state=State.PENDING, claimed_at=None, last_error=error[:2000],
                    next_attempt_at=now + dt.timedelta(seconds=retry_delay(delivery.attempts)))


def _send(deliveries: list[Delivery]) -> int:
    from surveys.services.notifications import digest_send, mail_send
    from surveys.services.webhooks import webhook_send

    sent = 0
    digests = defaultdict(list)
    for delivery in deliveries:
        if delivery.channel == Channel.DIGEST:
            digests[delivery.user_id].append(delivery)
            continue
        try:
            error = webhook_send(delivery) if delivery.channel == Channel.WEBHOOK else mail_send(delivery)
        except Exception as exc:  # a bug or an odd answer must not stop the other deliveries
            log.exception("delivery %s failed", delivery.pk)
            error = f"{type(exc).__name__}: {exc}"
        _finish(delivery, error)
        sent += not error
    for entries in digests.values():
        try:
            error = digest_send(entries)
        except Exception as exc:
            log.exception("digest for user %s failed", entries[0].user_id)
            error = f"{type(exc).__name__}: {exc}"
        for delivery in entries:
            _finish(delivery, error)
        sent += 0 if error else len(entries)
    return sent


def outbox_deliver(*, event_ids: list[str]) -> int:
    """Send the due deliveries of these events (the task queued after their commit). Returns how many went."""
    return _send(_claim(Delivery.objects.filter(event_id__in=event_ids)))


def outbox_deliver_due(*, limit: int = 200) -> int:
    """Beat sweep: send whatever is due (messages lost, retries, digests, leases of killed workers)."""
    return _send(_claim(Delivery.objects.all(), limit=limit))


def outbox_purge() -> int:
    """Daily sweep: events older than OUTBOX_KEEP_DAYS with nothing left to send go, with their deliveries
    and log. Returns how many events went."""
    cutoff = timezone.now() - dt.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    unfinished = Delivery.objects.filter(state__in=[State.PENDING, State.SENDING]).values("event_id")
    old = OutboxEvent.objects.filter(created_at__lt=cutoff).exclude(pk__in=unfinished)
    deleted, per_model = old.delete()
    return per_model.get(OutboxEvent._meta.label, 0)


@transaction.atomic
def delivery_replay(*, delivery: Delivery, actor=None) -> Delivery:
    """Send a webhook delivery again, as a new delivery (its own id and log) of the same event."""
    from surveys.services.audit import audit_record

    if delivery.channel != Channel.WEBHOOK:
        raise Conflict("Only webhook deliveries can be replayed.")
    replay = Delivery.objects.create(event_id=delivery.event_id, channel=Channel.WEBHOOK,
                                     endpoint_id=delivery.endpoint_id, replay_of=delivery,
                                     next_attempt_at=timezone.now())
    audit_record(actor=actor, action="delivery.replay", obj=delivery, changes={"replay": str(replay.pk)})
    tasks.deliver_outbox.delay_on_commit([str(delivery.event_id)])
    return replay

