import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("requested by"),
    )
    format = models.CharField(_("format"), max_length=32)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    include_photos = models.BooleanField(_("include photos"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.PENDING)
    progress = models.FloatField(_("progress"), default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    result = models.FileField(_("result"), upload_to="exports/", max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {str(self.pk)[:8]}"
