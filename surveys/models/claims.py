from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.vocab import SourceKind

from .base import ValueShape, enum_check, labelled
from .entities import Organization, Site


class Claim(ValueShape):
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="claims", verbose_name=_("site"),
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="claims",
        verbose_name=_("organization"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    is_target = models.BooleanField(
        _("is a target"), default=False, help_text=_("A promise (after full production, expected to...)."),
    )
    text = models.TextField(_("text"), blank=True, help_text=_("The quoted statement."))
    source_name = models.CharField(_("source name"), max_length=300, blank=True)
    source_url = models.URLField(_("source URL"), max_length=1000, blank=True)
    source_kind = models.CharField(
        _("source kind"), max_length=16, choices=labelled(SourceKind), default=SourceKind.OTHER,
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    # Content hash used by imports so that re-importing a file creates nothing new.
    import_key = models.CharField(_("import key"), max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta(ValueShape.Meta):
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-published_on", "-id"]
        constraints = [
            *ValueShape.Meta.constraints,
            enum_check("source_kind", SourceKind),
            models.CheckConstraint(
                condition=models.Q(site__isnull=False) | models.Q(organization__isnull=False),
                name="claim_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.text[:60]}"
