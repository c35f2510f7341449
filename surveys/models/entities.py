from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.vocab import SiteKind

from .base import NamedEntity, enum_check, labelled


class Organization(NamedEntity):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", verbose_name=_("parent"),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]


class Site(NamedEntity):
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, help_text=_("Other names, any script (Chinese, pinyin, English)."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=labelled(SiteKind), default=SiteKind.FACTORY)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites",
        verbose_name=_("organization"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        help_text=_("The park a factory or plot sits in."), verbose_name=_("parent"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=500)
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai")
    verified = models.BooleanField(_("verified"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("proposed by"),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_duplicates",
        verbose_name=_("merged into"), help_text=_("The site this duplicate was merged into; its id points there."),
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            enum_check("kind", SiteKind),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="site_longitude_range",
            ),
        ]


class LinkProposal(models.Model):
    """A fuzzy name match for an editor to accept or reject; never applied on its own."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="link_proposals", verbose_name=_("site"))
    candidate_site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("candidate site"),
    )
    candidate_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("candidate organization"),
    )
    score = models.FloatField(_("score"))
    site_name = models.CharField(_("site name"), max_length=300)
    candidate_name = models.CharField(_("candidate name"), max_length=300)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("link proposal")
        verbose_name_plural = _("link proposals")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["site", "candidate_site"], name="linkproposal_unique_site_pair"),
            models.UniqueConstraint(fields=["site", "candidate_organization"], name="linkproposal_unique_site_org"),
            models.CheckConstraint(
                condition=models.Q(candidate_site__isnull=False) | models.Q(candidate_organization__isnull=False),
                name="linkproposal_has_candidate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_name} ↔ {self.candidate_name}"
