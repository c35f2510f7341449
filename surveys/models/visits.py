import uuid

from django.conf import settings
from django.db import models

from surveys.vocab import Method, Processing, Status, choices

from .base import SyncedModel, ValueShape, enum_check
from .entities import Site


class Visit(SyncedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, help_text="Client-generated, for safe retries.")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="visits")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits")
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    notes = models.TextField(blank=True)
    observed_status = models.CharField(max_length=32, choices=choices(Status), blank=True)
    activity_level = models.PositiveSmallIntegerField(null=True, blank=True)
    activity_signs = models.JSONField(default=list, blank=True)
    processing = models.CharField(max_length=16, choices=choices(Processing), default=Processing.PENDING)
    processing_error = models.TextField(blank=True)
    followup_of = models.ForeignKey(
        "surveys.Discrepancy", null=True, blank=True, on_delete=models.SET_NULL, related_name="followups",
        help_text="The discrepancy whose follow-up request this visit answers.",
    )
    # Bumped by every create/edit; a processing run only marks done the revision it read.
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
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
        return f"{self.site} @ {self.started_at:%Y-%m-%d %H:%M}"


class Observation(ValueShape):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="observations")
    method = models.CharField(max_length=16, choices=choices(Method), default=Method.ESTIMATED)
    source_role = models.CharField(max_length=120, blank=True)
    quote = models.TextField(blank=True)
    confidence = models.FloatField(default=0.5)
    extracted = models.BooleanField(default=False)
    rejected = models.BooleanField(default=False)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)

    class Meta(ValueShape.Meta):
        ordering = ["visit", "created_at", "id"]
        constraints = [
            *ValueShape.Meta.constraints,
            enum_check("method", Method),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1), name="observation_confidence_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.low}-{self.high} {self.unit}"


class Tombstone(models.Model):
    """A deleted synced row, so that phones syncing with a cursor learn of deletions."""

    model = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    owner_id = models.BigIntegerField(null=True, blank=True, help_text="Reporter the row belonged to, for scoping.")
    deleted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sync_txid = models.BigIntegerField(default=0, editable=False, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["model", "sync_txid"])]


class SyncCounter(models.Model):
    """SQLite only: the commit-ordered counter behind sync_txid (PostgreSQL uses transaction ids)."""

    value = models.BigIntegerField(default=0)
