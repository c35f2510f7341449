from django.conf import settings
from django.db import models

from surveys.vocab import DiscrepancyKind, Metric, ReviewStatus, Severity, choices

from .base import METRIC_CHOICES, enum_check
from .claims import Claim
from .entities import Site
from .visits import Observation, Visit


class Discrepancy(models.Model):
    """A claim set against what was seen at one site. One per claim and site."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="discrepancies")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="discrepancies")
    metric = models.CharField(max_length=32, choices=METRIC_CHOICES)
    kind = models.CharField(max_length=16, choices=choices(DiscrepancyKind))
    claimed = models.JSONField(default=dict)
    observed = models.JSONField(default=dict)
    ratio = models.FloatField(null=True, blank=True)
    severity = models.CharField(max_length=8, choices=choices(Severity))
    severity_rank = models.PositiveSmallIntegerField(default=0, editable=False, db_index=True)
    explanation = models.TextField()
    explanation_zh = models.TextField(blank=True)
    observations = models.ManyToManyField(Observation, blank=True, related_name="discrepancies")
    observed_visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=choices(ReviewStatus), default=ReviewStatus.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_discrepancies")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_discrepancies")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-severity_rank", "-updated_at", "-id"]
        verbose_name_plural = "discrepancies"
        constraints = [
            models.UniqueConstraint(fields=["claim", "site"], name="discrepancy_one_per_claim_site"),
            enum_check("metric", Metric),
            enum_check("kind", DiscrepancyKind),
            enum_check("severity", Severity),
            enum_check("status", ReviewStatus),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.metric} ({self.severity}, {self.status})"


class DiscrepancyComment(models.Model):
    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
