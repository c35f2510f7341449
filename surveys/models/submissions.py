"""ODK submissions: the XML a phone sent for a visit, the attachments it named, comments and review state.

The visit, its observations and photos are the evidence; these rows keep what ODK
clients need on top: the exact XML (a resubmission is compared byte for byte), every
instanceID the submission had (edits by deprecatedID), and which attachments are still
expected (a photo row exists only once its file is stored).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .photos import Photo
from .visits import Visit


class FormVersion(models.Model):
    """A version of the site-visit form that was served: submissions must name one of these."""

    version = models.CharField(_("version"), max_length=64, primary_key=True)
    md5 = models.CharField(_("MD5 of the form"), max_length=32)
    media_md5 = models.CharField(_("MD5 of the site list"), max_length=32)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["-created_at"]


class OdkSubmission(models.Model):
    class ReviewState(models.TextChoices):
        HAS_ISSUES = "hasIssues", _("has issues")
        EDITED = "edited", _("edited")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    # The first instanceID is the visit id, and names the submission for good.
    visit = models.OneToOneField(Visit, primary_key=True, on_delete=models.CASCADE, related_name="odk_submission",
                                 verbose_name=_("visit"))
    instance_id = models.CharField(_("instance ID"), max_length=100, unique=True,
                                   help_text=_("The current version's instanceID."))
    xml = models.BinaryField(_("submission XML"), help_text=_("The current version's XML, byte for byte."))
    form_version = models.CharField(_("form version"), max_length=64)
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("submitter"))
    device_id = models.CharField(_("device ID"), max_length=200, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    instance_name = models.CharField(_("instance name"), max_length=400, blank=True)
    location_accuracy_m = models.FloatField(_("location accuracy (m)"), null=True, blank=True)
    review_state = models.CharField(_("review state"), max_length=16, choices=ReviewState.choices, blank=True)
    edits = models.PositiveIntegerField(_("edits"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ODK submission")
        verbose_name_plural = _("ODK submissions")
        ordering = ["-created_at", "visit"]


class OdkInstance(models.Model):
    """Every instanceID a submission has had; only the current one may be edited (deprecatedID)."""

    instance_id = models.CharField(_("instance ID"), max_length=100, primary_key=True)
    submission = models.ForeignKey(OdkSubmission, on_delete=models.CASCADE, related_name="instances",
                                   verbose_name=_("ODK submission"))
    xml_sha256 = models.CharField(_("SHA-256 of the XML"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ODK instance")
        verbose_name_plural = _("ODK instances")


class OdkAttachment(models.Model):
    """A file the submission XML names; `photo` is set once the file is stored."""

    submission = models.ForeignKey(OdkSubmission, on_delete=models.CASCADE, related_name="attachments",
                                   verbose_name=_("ODK submission"))
    name = models.CharField(_("file name"), max_length=255)
    caption = models.CharField(_("caption"), max_length=1000, blank=True)
    photo = models.OneToOneField(Photo, null=True, blank=True, on_delete=models.SET_NULL, related_name="odk_attachment",
                                 verbose_name=_("photo"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ODK attachment")
        verbose_name_plural = _("ODK attachments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["submission", "name"], name="odkattachment_unique_name")]


class OdkComment(models.Model):
    submission = models.ForeignKey(OdkSubmission, on_delete=models.CASCADE, related_name="comments",
                                   verbose_name=_("ODK submission"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ODK comment")
        verbose_name_plural = _("ODK comments")
        ordering = ["created_at", "id"]
