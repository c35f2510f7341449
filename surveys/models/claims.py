from django.conf import settings
from django.db import models

from surveys.vocab import SourceKind, choices

from .base import ValueShape, enum_check
from .entities import Organization, Site


class Claim(ValueShape):
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="claims")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="claims"
    )
    due_date = models.DateField(null=True, blank=True)
    is_target = models.BooleanField(default=False, help_text="A promise (after full production, expected to...).")
    text = models.TextField(blank=True, help_text="The quoted statement.")
    source_name = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    source_kind = models.CharField(max_length=16, choices=choices(SourceKind), default=SourceKind.OTHER)
    published_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Content hash used by imports so that re-importing a file creates nothing new.
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta(ValueShape.Meta):
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
        return f"{self.metric}: {self.text[:60]}"
