from django.conf import settings
from django.db import models

from surveys.vocab import SiteKind, choices

from .base import NamedEntity, enum_check


class Organization(NamedEntity):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")

    class Meta:
        ordering = ["name"]


class Site(NamedEntity):
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, any script (Chinese, pinyin, English).")
    kind = models.CharField(max_length=16, choices=choices(SiteKind), default=SiteKind.FACTORY)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        help_text="The park a factory or plot sits in.",
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(default=500)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    verified = models.BooleanField(default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
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
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="link_proposals")
    candidate_site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    candidate_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    site_name = models.CharField(max_length=300)
    candidate_name = models.CharField(max_length=300)
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["site", "candidate_site"], name="linkproposal_unique_site_pair"),
            models.UniqueConstraint(fields=["site", "candidate_organization"], name="linkproposal_unique_site_org"),
            models.CheckConstraint(
                condition=models.Q(candidate_site__isnull=False) | models.Q(candidate_organization__isnull=False),
                name="linkproposal_has_candidate",
            ),
        ]
