import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext_lazy as _

from surveys.engine.metrics import unit_label
from surveys.vocab import Method, Processing, Status

from .base import SyncedModel, ValueShape, enum_check, labelled
from .entities import Site


class Visit(SyncedModel):
    id = models.UUIDField(
        _("ID"), primary_key=True, default=uuid.uuid4, help_text=_("Client-generated, for safe retries."),
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="visits", verbose_name=_("site"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("reporter"),
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    observed_status = models.CharField(_("observed status"), max_length=32, choices=labelled(Status), blank=True)
    activity_level = models.PositiveSmallIntegerField(_("activity level"), null=True, blank=True)
    activity_signs = models.JSONField(_("activity signs"), default=list, blank=True)
    processing = models.CharField(
        _("processing"), max_length=16, choices=labelled(Processing), default=Processing.PENDING,
    )
    processing_error = models.TextField(_("processing error"), blank=True)
    followup_of = models.ForeignKey(
        "surveys.Discrepancy", null=True, blank=True, on_delete=models.SET_NULL, related_name="followups",
        help_text=_("The discrepancy whose follow-up request this visit answers."), verbose_name=_("follow-up of"),
    )
    # Bumped by every create/edit; a processing run only marks done the revision it read.
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-started_at", "id"]
        constraints = [
            enum_check("observed_status", Status, allow_blank=True),
            enum_check("processing", Processing),
            models.CheckConstraint(
                condition=models.Q(activity_level__isnull=True) | models.Q(activity_level__lte=4),
                name="visit_activity_level_0_4",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="visit_ends_after_start",
            ),
        ]
        # The stale-work sweep reads only the few visits still pending.
        indexes = [models.Index(fields=["updated_at"], condition=models.Q(processing=Processing.PENDING),
                                name="visit_pending_updated_at")]

    def __str__(self) -> str:
        # In the site's zone, named, as the desk shows it (the admin's lists and titles use this).
        try:
            zone = zoneinfo.ZoneInfo(self.site.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        return f"{self.site} @ {self.started_at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


class Observation(ValueShape):
    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="observations", verbose_name=_("visit"))
    method = models.CharField(_("method"), max_length=16, choices=labelled(Method), default=Method.ESTIMATED)
    source_role = models.CharField(_("source role"), max_length=120, blank=True)
    quote = models.TextField(_("quote"), blank=True)
    confidence = models.FloatField(_("confidence"), default=0.5)
    extracted = models.BooleanField(_("extracted"), default=False)
    rejected = models.BooleanField(_("rejected"), default=False)
    span_start = models.PositiveIntegerField(_("quote start"), null=True, blank=True)
    span_end = models.PositiveIntegerField(_("quote end"), null=True, blank=True)

    class Meta(ValueShape.Meta):
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["visit", "created_at", "id"]
        constraints = [
            *ValueShape.Meta.constraints,
            enum_check("method", Method),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1), name="observation_confidence_0_1"
            ),
        ]

    def __str__(self) -> str:
        language = "zh" if (get_language() or "").startswith("zh") else "en"
        figures = "-".join(f"{value:g}" for value in dict.fromkeys((self.low, self.high)) if value is not None)
        return " ".join(part for part in (self.get_metric_display(), figures,
                                          unit_label(self.unit, language) if self.unit else "") if part)


class Tombstone(models.Model):
    """A deleted synced row, so that phones syncing with a cursor learn of deletions."""

    model = models.CharField(_("model"), max_length=32)
    object_id = models.CharField(_("object ID"), max_length=64)
    owner_id = models.BigIntegerField(
        _("owner ID"), null=True, blank=True, help_text=_("Reporter the row belonged to, for scoping."),
    )
    deleted_at = models.DateTimeField(_("deleted at"), auto_now_add=True, db_index=True)
    sync_txid = models.BigIntegerField(_("sync transaction"), default=0, editable=False, db_index=True)

    class Meta:
        verbose_name = _("deletion record")
        verbose_name_plural = _("deletion records")
        indexes = [models.Index(fields=["model", "sync_txid"])]


class SyncCounter(models.Model):
    """SQLite only: the commit-ordered counter behind sync_txid (PostgreSQL uses transaction ids)."""

    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("sync counter")
        verbose_name_plural = _("sync counters")


