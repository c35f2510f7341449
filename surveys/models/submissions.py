"""ODK submissions: the XML a phone sent for a visit, the attachments it named, comments and review state.

The visit, its observations and photos are the evidence; these rows keep what ODK
clients need on top: the exact XML (a resubmission is compared byte for byte), every
instanceID the submission had (edits by deprecatedID), and which attachments are still
expected (a photo row exists only once its file is stored).
"""
from django.conf import settings
from django.db import models

from .photos import Photo
from .visits import Visit


class FormVersion(models.Model):
    """A version of the site-visit form that was served: submissions must name one of these."""

    version = models.CharField(max_length=64, primary_key=True)
    md5 = models.CharField(max_length=32)
    media_md5 = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class OdkSubmission(models.Model):
    class ReviewState(models.TextChoices):
        HAS_ISSUES = "hasIssues"
        EDITED = "edited"
        APPROVED = "approved"
        REJECTED = "rejected"

    # The first instanceID is the visit id, and names the submission for good.
    visit = models.OneToOneField(Visit, primary_key=True, on_delete=models.CASCADE, related_name="odk_submission")
    instance_id = models.CharField(max_length=100, unique=True, help_text="The current version's instanceID.")
    xml = models.BinaryField(help_text="The current version's XML, byte for byte.")
    form_version = models.CharField(max_length=64)
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device_id = models.CharField(max_length=200, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    instance_name = models.CharField(max_length=400, blank=True)
    location_accuracy_m = models.FloatField(null=True, blank=True)
    review_state = models.CharField(max_length=16, choices=ReviewState.choices, blank=True)
    edits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "visit"]


class OdkInstance(models.Model):
    """Every instanceID a submission has had; only the current one may be edited (deprecatedID)."""

    instance_id = models.CharField(max_length=100, primary_key=True)
    submission = models.ForeignKey(OdkSubmission, on_delete=models.CASCADE, related_name="instances")
    xml_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)


class OdkAttachment(models.Model):
    """A file the submission XML names; `photo` is set once the file is stored."""

    submission = models.ForeignKey(OdkSubmission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    caption = models.CharField(max_length=1000, blank=True)
    photo = models.OneToOneField(Photo, null=True, blank=True, on_delete=models.SET_NULL, related_name="odk_attachment")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["submission", "name"], name="odkattachment_unique_name")]


class OdkComment(models.Model):
    submission = models.ForeignKey(OdkSubmission, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
