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
    # The observation whose value is `observed` (the latest visit's most confident one).
    observed_observation = models.ForeignKey(
        Observation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("observed observation"),
    )
    supporting = models.ManyToManyField(
        Observation, blank=True, related_name="supported_discrepancies", verbose_name=_("supporting observations"),
        help_text=_("Observations consistent with the claim."),
    )
    # Sources at the observed visit that disagree with one another: [{observation, method, source_role, ...}].
    source_conflict = models.JSONField(_("source conflict"), default=list, blank=True)
    # The decision in force (null while open or resolved); its snapshot is what the discrepancy shows.
    decision = models.ForeignKey(
        "surveys.DiscrepancyDecision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("decision"),
    )
    # For a decided discrepancy: what matching found since the decision (never written over the decided fields).
    latest = models.JSONField(_("latest evidence"), null=True, blank=True)
    new_evidence = models.ManyToManyField(
        Observation, blank=True, related_name="new_evidence_discrepancies",
        verbose_name=_("new evidence since the decision"),
    )
    new_evidence_at = models.DateTimeField(_("new evidence at"), null=True, blank=True, db_index=True)
    followup_arrived_at = models.DateTimeField(_("follow-up arrived at"), null=True, blank=True)
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


class DiscrepancyDecision(models.Model):
    """One editor's decision with a snapshot of what it was made on, as the editor saw it. Never updated,
    except that an undo marks it undone."""

    discrepancy = models.ForeignKey(
        Discrepancy, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("discrepancy"),
    )
    status = models.CharField(_("status"), max_length=16, choices=labelled(ReviewStatus))
    note = models.TextField(_("note"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reviewer"),
    )
    decided_at = models.DateTimeField(_("decided at"), db_index=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    # The snapshot.
    kind = models.CharField(_("kind"), max_length=16, choices=labelled(DiscrepancyKind))
    claimed = models.JSONField(_("claimed"), default=dict)
    observed = models.JSONField(_("observed"), default=dict)
    ratio = models.FloatField(_("ratio"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=labelled(Severity))
    explanation = models.TextField(_("explanation"), blank=True)
    explanation_zh = models.TextField(_("explanation in Chinese"), blank=True)
    observed_visit_id = models.UUIDField(_("observed visit"), null=True, blank=True)
    observed_observation_id = models.UUIDField(_("observed observation"), null=True, blank=True)
    observation_ids = models.JSONField(_("observations"), default=list, blank=True)
    supporting_ids = models.JSONField(_("supporting observations"), default=list, blank=True)
    photo_ids = models.JSONField(_("photos"), default=list, blank=True)
    source_conflict = models.JSONField(_("source conflict"), default=list, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [enum_check("status", ReviewStatus), enum_check("kind", DiscrepancyKind),
                       enum_check("severity", Severity)]

    def __str__(self) -> str:
        return f"{self.discrepancy_id}: {self.get_status_display()} @ {self.decided_at:%Y-%m-%d %H:%M} UTC"


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
