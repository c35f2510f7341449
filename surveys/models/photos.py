import uuid

from django.conf import settings
from django.db import models

from surveys.vocab import PhotoStatus, choices

from .base import enum_check
from .visits import Visit


def _unguessable_key(prefix: str) -> str:
    # Never derived from the client's file name.
    key = uuid.uuid4().hex
    return f"{prefix}/{key[:2]}/{key}"


def original_upload_to(instance, filename):
    return _unguessable_key("originals")


def derived_upload_to(instance, filename):
    return _unguessable_key("derived")


class Photo(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(max_length=1000, blank=True)
    original = models.FileField(upload_to=original_upload_to, max_length=200)
    original_format = models.CharField(max_length=8)
    original_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    display = models.FileField(upload_to=derived_upload_to, max_length=200, blank=True)
    thumbnail = models.FileField(upload_to=derived_upload_to, max_length=200, blank=True)

    status = models.CharField(max_length=16, choices=choices(PhotoStatus), default=PhotoStatus.PENDING)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="Lease held by the worker processing it.")
    attempts = models.PositiveIntegerField(default=0)

    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_at_has_offset = models.BooleanField(default=False)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    gps_time = models.DateTimeField(null=True, blank=True)
    camera_make = models.CharField(max_length=120, blank=True)
    camera_model = models.CharField(max_length=120, blank=True)
    software = models.CharField(max_length=200, blank=True)
    evidence = models.JSONField(default=dict, blank=True, help_text="Every EXIF fact read, as found.")
    phash = models.CharField(max_length=32, blank=True, db_index=True)
    dhash = models.CharField(max_length=32, blank=True)
    hash_variants = models.JSONField(default=list, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    flag_details = models.JSONField(default=dict, blank=True)
    faces_blurred = models.PositiveIntegerField(default=0)

    approved_at = models.DateTimeField(null=True, blank=True, help_text="Display image approved for publication.")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["visit", "created_at", "id"]
        constraints = [enum_check("status", PhotoStatus)]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"photo {self.id} ({self.status})"
