import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _

from surveys.vocab import PhotoStatus

from .base import enum_check, labelled
from .visits import Visit


def original_upload_to(instance, filename):
    key = uuid.uuid4().hex  # never derived from the client's file name
    return f"originals/{key[:2]}/{key}"


class Photo(models.Model):
    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    caption = models.CharField(_("caption"), max_length=1000, blank=True)
    original = models.FileField(_("original"), upload_to=original_upload_to, max_length=200)
    original_format = models.CharField(_("original format"), max_length=8)
    original_size = models.PositiveBigIntegerField(_("original size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    # Derived images are saved under derived/<photo id>/ by the pipeline (services/photo_pipeline.py).
    display = models.FileField(_("display"), max_length=200, blank=True)
    thumbnail = models.FileField(_("thumbnail"), max_length=200, blank=True)

    status = models.CharField(_("status"), max_length=16, choices=labelled(PhotoStatus), default=PhotoStatus.PENDING)
    error = models.TextField(_("error"), blank=True)
    claimed_at = models.DateTimeField(
        _("claimed at"), null=True, blank=True, help_text=_("Lease held by the worker processing it."),
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    taken_at_has_offset = models.BooleanField(_("capture time has an offset"), default=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    gps_time = models.DateTimeField(_("GPS time"), null=True, blank=True)
    camera_make = models.CharField(_("camera make"), max_length=120, blank=True)
    camera_model = models.CharField(_("camera model"), max_length=120, blank=True)
    software = models.CharField(_("software"), max_length=200, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True, help_text=_("Every EXIF fact read, as found."))
    phash = models.CharField(_("perceptual hash"), max_length=32, blank=True, db_index=True)
    dhash = models.CharField(_("difference hash"), max_length=32, blank=True)
    hash_variants = models.JSONField(_("hash variants"), default=list, blank=True)
    distance_m = models.FloatField(_("distance from the site (m)"), null=True, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    flag_details = models.JSONField(_("flag details"), default=dict, blank=True)
    faces_blurred = models.PositiveIntegerField(_("faces blurred"), default=0)

    approved_at = models.DateTimeField(
        _("approved at"), null=True, blank=True, help_text=_("Display image approved for publication."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("approved by"),
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True,
                                       help_text=_("Rejected for publication by an editor."))
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("rejected by"),
    )
    reject_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["visit", "created_at", "id"]
        constraints = [enum_check("status", PhotoStatus)]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return gettext("Photo %(id)s (%(status)s)") % {"id": self.id, "status": self.get_status_display()}
