from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.vocab import DiscrepancyKind, Metric, ReviewStatus, Severity

from .base import METRIC_CHOICES, enum_check, labelled
from .claims import Claim
from .entities import Site
from .visits import Observation, Visit


class Discrepancy(models.Model):
    """A claim set against what was seen at one site. One per claim and site."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="discrepancies", verbose_name=_("claim"))
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="discrepancies", verbose_name=_("site"))
    metric = models.CharField(_("metric"), max_length=32, choices=METRIC_CHOICES)
    kind = models.CharField(_("kind"), max_length=16, choices=labelled(DiscrepancyKind))
    claimed = models.JSONField(_("claimed"), default=dict)
    observed = models.JSONField(_("observed"), default=dict)
    ratio = models.FloatField(_("ratio"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=labelled(Severity))
    severity_rank = models.PositiveSmallIntegerField(_("severity rank"), default=0, editable=False, db_index=True)
    explanation = models.TextField(_("explanation"))
    explanation_zh = models.TextField(_("explanation in Chinese"), blank=True)
    observations = models.ManyToManyField(
        Observation, blank=True, related_name="discrepancies", verbose_name=_("observations"),
    )
    observed_visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("observed visit"),
    )
    status = models.CharField(_("status"), max_length=16, choices=labelled(ReviewStatus), default=ReviewStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_discrepancies", verbose_name=_("assignee"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reviewed_discrepancies", verbose_name=_("reviewer"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["-severity_rank", "-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "site"], name="discrepancy_one_per_claim_site"),
            enum_check("metric", Metric),
            enum_check("kind", DiscrepancyKind),
            enum_check("severity", Severity),
            enum_check("status", ReviewStatus),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.get_metric_display()} ({self.get_severity_display()}, {self.get_status_display()})"


class DiscrepancyComment(models.Model):
    discrepancy = models.ForeignKey(
        Discrepancy, on_delete=models.CASCADE, related_name="comments", verbose_name=_("discrepancy"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"),
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} · {self.text[:40]}"
