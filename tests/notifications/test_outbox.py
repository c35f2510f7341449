"""The outbox: written in the event's transaction, delivered after commit, once; swept up after a crash."""
import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from surveys.models import Delivery, NotificationPreference, OutboxEvent
from surveys.services import outbox
from surveys.services.outbox import next_digest_at, outbox_deliver, outbox_deliver_due, retry_delay
from surveys.services.review import discrepancy_review
from tests.factories import make_user
from tests.notifications.conftest import with_email

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_rolled_back_transaction_sends_no_mail_and_no_webhook(headcount_discrepancy, endpoint, receiver, editor,
                                                               committed):
    before = OutboxEvent.objects.count()
    with committed():
        with pytest.raises(Boom), transaction.atomic():
            discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup",
                               note="Count the shift change at 8pm.")
            assert OutboxEvent.objects.count() == before + 2  # decided + follow-up requested, in the transaction
            raise Boom
    assert OutboxEvent.objects.count() == before
    assert not Delivery.objects.filter(event__event__in=["discrepancy.decided", "followup.requested"]).exists()
    assert outbox_deliver_due() == 0  # nothing left behind for the sweep either
    assert mail.outbox == [] and receiver.requests == []


def test_a_committed_follow_up_request_mails_the_reporter_once(headcount_discrepancy, editor, committed):
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup",
                           note="Count the shift change at 8pm.")
    [message] = mail.outbox
    assert message.to == ["li-reporter@example.org"]
    assert message.subject == "Follow-up requested: Zhongyuan Electronics Plant"
    assert "Count the shift change at 8pm." in message.body
    assert "/desk/notifications/" in message.body  # where to turn it off
    delivery = Delivery.objects.get(event__event="followup.requested")
    assert (delivery.state, delivery.attempts, delivery.user.username) == ("sent", 1, "li-reporter")

    # A duplicate message, the sweep, and the event's task again: nothing more is sent.
    assert outbox_deliver(event_ids=[str(delivery.event_id)]) == 0
    assert outbox_deliver_due() == 0
    assert len(mail.outbox) == 1


def test_a_message_lost_after_commit_is_sent_by_the_sweep_once(headcount_discrepancy, editor):
    # No on-commit callbacks run: as if the process died between the commit and queuing the delivery.
    discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    assert mail.outbox == []
    assert outbox_deliver_due() == 1
    assert outbox_deliver_due() == 0
    assert len(mail.outbox) == 1


def test_a_delivery_claimed_by_a_killed_worker_is_sent_again_after_its_lease(headcount_discrepancy, editor,
                                                                             settings):
    discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    delivery = Delivery.objects.get(event__event="followup.requested")
    claimed_at = timezone.now() - dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS - 5)
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", claimed_at=claimed_at, attempts=1)
    assert outbox_deliver_due() == 0  # the lease still runs: the other worker may still send it
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=claimed_at - dt.timedelta(seconds=10))
    assert outbox_deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, len(mail.outbox)) == ("sent", 2, 1)


def test_an_event_emitted_twice_with_one_key_is_one_event(headcount_discrepancy):
    first = outbox.emit("discrepancy.decided", headcount_discrepancy, key="once")
    again = outbox.emit("discrepancy.decided", headcount_discrepancy, key="once")
    assert first is not None and again is None
    assert OutboxEvent.objects.filter(key="once").count() == 1


def test_unknown_events_are_refused(headcount_discrepancy):
    with pytest.raises(ValueError):
        outbox.emit("discrepancy.exploded", headcount_discrepancy)


def test_a_failing_mail_server_is_retried_with_backoff(headcount_discrepancy, editor, settings, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("smtp away")

    discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    with monkeypatch.context() as patched:
        patched.setattr(EmailBackend, "send_messages", refuse)
        before = timezone.now()
        assert outbox_deliver_due() == 0
    delivery = Delivery.objects.get(event__event="followup.requested")
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "smtp away" in delivery.last_error
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS)
    assert outbox_deliver_due() == 0  # not due yet
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 1
    assert len(mail.outbox) == 1


def test_retry_delays_double_up_to_their_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 30, 600
    assert [retry_delay(n) for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


def test_a_delivery_gives_up_after_its_last_attempt(headcount_discrepancy, editor, settings, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    settings.OUTBOX_MAX_ATTEMPTS = 2
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: 1 / 0)
    discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    for _ in range(2):
        Delivery.objects.update(next_attempt_at=timezone.now())
        outbox_deliver_due()
    delivery = Delivery.objects.get(event__event="followup.requested")
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 0


def test_a_user_who_turned_a_notification_off_gets_none(headcount_discrepancy, editor, committed):
    reporter = headcount_discrepancy.observed_visit.reporter
    NotificationPreference.objects.create(user=reporter, followup_requests="off")
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    assert mail.outbox == []
    assert not Delivery.objects.filter(event__event="followup.requested").exists()


def test_a_user_without_an_address_gets_no_delivery(headcount_discrepancy, editor, committed):
    reporter = headcount_discrepancy.observed_visit.reporter
    reporter.email = ""
    reporter.save()
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    assert not Delivery.objects.filter(event__event="followup.requested").exists()


def test_the_digest_hour_is_in_the_desk_time_zone(settings):
    settings.DESK_TIME_ZONE, settings.NOTIFICATIONS_DIGEST_HOUR = "Asia/Shanghai", 8
    # 23:30 UTC is 07:30 the next morning in Shanghai: the digest is half an hour away.
    assert next_digest_at(dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)) == dt.datetime(2026, 12, 2, 0, 0,
                                                                                           tzinfo=dt.UTC)
    # 00:30 UTC is 08:30 in Shanghai: tomorrow's.
    assert next_digest_at(dt.datetime(2026, 12, 2, 0, 30, tzinfo=dt.UTC)) == dt.datetime(2026, 12, 3, 0, 0,
                                                                                          tzinfo=dt.UTC)


def test_editors_subscribed_to_high_severity_get_it_at_once_or_in_one_digest(committed):
    from surveys.services.matching import site_rematch
    from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory

    at_once = with_email(make_user("editor", "wang-editor"))
    digest = with_email(make_user("editor", "zhao-editor"))
    with_email(make_user("editor", "not-subscribed"))
    reporter = with_email(make_user("reporter", "tries-to-subscribe"))
    NotificationPreference.objects.create(user=at_once, high_severity="immediate")
    NotificationPreference.objects.create(user=digest, high_severity="digest", language="zh-hans")
    NotificationPreference.objects.create(user=reporter, high_severity="immediate")  # (refused by the service)
    with committed():
        for name in ("Plant A", "Plant B"):
            site = SiteFactory(name=name)
            ClaimFactory(site=site)
            ObservationFactory(visit=VisitFactory(site=site))
            site_rematch(site_id=site.pk)
    assert sorted(m.subject for m in mail.outbox) == ["New high-severity discrepancy: Plant A",
                                                      "New high-severity discrepancy: Plant B"]
    assert {tuple(m.to) for m in mail.outbox} == {("wang-editor@example.org",)}

    mail.outbox.clear()
    assert outbox_deliver_due() == 0  # the digest waits for its hour
    Delivery.objects.filter(channel="digest").update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 2
    [message] = mail.outbox
    assert message.to == ["zhao-editor@example.org"]
    assert message.subject == "每日摘要：2 个新的高严重程度差异"
    assert "Plant A" in message.body and "Plant B" in message.body


def test_old_events_with_nothing_left_to_send_are_purged(headcount_discrepancy, editor, settings):
    from surveys.services.outbox import outbox_purge

    settings.OUTBOX_KEEP_DAYS = 30
    discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    outbox_deliver_due()
    discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="again")
    long_ago = timezone.now() - dt.timedelta(days=31)
    OutboxEvent.objects.update(created_at=long_ago)
    kept = {str(pk) for pk in Delivery.objects.filter(state="pending").values_list("event_id", flat=True)}
    assert len(kept) == 1  # the second follow-up request's mail, not sent yet
    total = OutboxEvent.objects.count()
    assert outbox_purge() == total - 1
    assert {str(pk) for pk in OutboxEvent.objects.values_list("pk", flat=True)} == kept  # still to send
    assert outbox_deliver_due() == 1


def test_the_command_sweeps_once_for_an_install_without_beat(headcount_discrepancy, editor):
    from io import StringIO

    from django.core.management import call_command

    discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    out = StringIO()
    call_command("deliver_outbox", stdout=out)
    assert out.getvalue().strip() == "1 sent" and len(mail.outbox) == 1


def test_a_broker_refusing_the_delivery_message_loses_nothing(headcount_discrepancy, editor, committed, monkeypatch):
    """The message is kept as an UnsentTask (the project's after-commit pattern); the outbox sweep sends the
    delivery anyway, and the resent message then finds nothing left to send."""
    from surveys import tasks
    from surveys.models import UnsentTask
    from surveys.services.unsent import unsent_tasks_resend

    def refuse(*args, **kwargs):
        raise ConnectionError("broker away")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.deliver_outbox, "apply_async", refuse)
        with committed():
            discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup", note="")
    [kept] = UnsentTask.objects.filter(task="surveys.tasks.deliver_outbox")
    assert mail.outbox == []
    assert outbox_deliver_due() == 1
    assert unsent_tasks_resend() >= 1 and not UnsentTask.objects.filter(pk=kept.pk).exists()
    assert len(mail.outbox) == 1
