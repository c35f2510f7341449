"""The outbox: events written in the transaction that made them, delivered by a worker afterwards.

An event's row and its deliveries commit (or roll back) with the change they describe, so a
rollback sends nothing and a crash only delays a delivery (surveys/services/outbox.py).
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """Something that happened, as webhooks and mails tell it."""

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, help_text=_("Sent as X-Event-Id."))
    event = models.CharField(_("event"), max_length=64, db_index=True)
    # Emitting twice with one key (a re-run, a duplicate message) makes one event.
    key = models.CharField(_("key"), max_length=200, unique=True, null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object ID"), max_length=64)
    payload = models.JSONField(
        _("payload"), default=dict, blank=True,
        help_text=_("What webhooks receive: within the exporter policy."))
    context = models.JSONField(
        _("mail context"), default=dict, blank=True, help_text=_("Read by the mails only; never sent to webhooks."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.event} {self.object_type}:{self.object_id}"


class WebhookEndpoint(models.Model):
    """An API client's receiver, registered by an admin."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secret"), max_length=200,
        help_text=_("Shared with the receiver; signs every delivery (HMAC-SHA256)."))
    events = models.JSONField(_("events"), default=list, help_text=_("The events this endpoint receives."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event to one recipient (a user's mail, a digest entry, a webhook endpoint)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        DIGEST = "digest", _("daily digest")
        WEBHOOK = "webhook", _("webhook")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, help_text=_("Sent as X-Delivery-Id."))
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries",
                              verbose_name=_("event"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("user"))
    endpoint = models.ForeignKey(WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="deliveries", verbose_name=_("webhook endpoint"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True,
                                      help_text=_("Lease held by the worker sending it."))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays",
                                  verbose_name=_("replay of"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel="webhook", endpoint__isnull=False, user__isnull=True)
                | models.Q(channel__in=["email", "digest"], user__isnull=False, endpoint__isnull=True),
                name="delivery_has_its_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.event.event} → {self.endpoint or self.user} ({self.state})"


class DeliveryAttempt(models.Model):
    """The delivery log: every try, with the receiver's answer."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log",
                                 verbose_name=_("delivery"))
    number = models.PositiveIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("attempted at"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number", "id"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:40]}"


# The languages of settings.LANGUAGES, named in the reader's language.
MAIL_LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]


class NotificationPreference(models.Model):
    """What a user is told by mail, and in which language. No row: the defaults."""

    class Choice(models.TextChoices):
        OFF = "off", _("off")
        IMMEDIATE = "immediate", _("immediately")
        DIGEST = "digest", _("daily digest")

    OFF_OR_IMMEDIATE = [(Choice.OFF.value, Choice.OFF.label), (Choice.IMMEDIATE.value, Choice.IMMEDIATE.label)]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference",
                                verbose_name=_("user"))
    language = models.CharField(_("language"), max_length=8, choices=MAIL_LANGUAGES, default=settings.LANGUAGE_CODE)
    followup_requests = models.CharField(
        _("follow-up requests to me"), max_length=10, default=Choice.IMMEDIATE,
        choices=OFF_OR_IMMEDIATE)
    followup_answers = models.CharField(
        _("follow-up answers on my discrepancies"), max_length=10, default=Choice.IMMEDIATE,
        choices=OFF_OR_IMMEDIATE)
    new_evidence = models.CharField(
        _("new evidence on my decided discrepancies"), max_length=10, default=Choice.IMMEDIATE,
        choices=OFF_OR_IMMEDIATE)
    high_severity = models.CharField(
        _("new high-severity discrepancies"), max_length=10, default=Choice.OFF, choices=Choice.choices,
        help_text=_("Editors only."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(condition=models.Q(followup_requests__in=["off", "immediate"])
                                   & models.Q(followup_answers__in=["off", "immediate"])
                                   & models.Q(new_evidence__in=["off", "immediate"])
                                   & models.Q(high_severity__in=["off", "immediate", "digest"]),
                                   name="notificationpreference_choices_valid"),
        ]

    def __str__(self) -> str:
        return str(self.user)
