from django.urls import reverse
from rest_framework import serializers

from api.serializers.base import ModelSerializer
from surveys.models import Claim, Discrepancy, DiscrepancyComment, Observation, Photo
from surveys.roles import is_editor
from surveys.selectors.desk import evidence_photos
from surveys.selectors.policy import reporter_label
from surveys.vocab import ReviewStatus


class ClaimSourceSerializer(ModelSerializer):
    organization = serializers.CharField(source="organization.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Claim
        fields = ["id", "text", "metric", "low", "high", "unit", "qualifier", "status_value", "due_date", "is_target",
                  "source_name", "source_url", "source_kind", "published_on", "organization"]
        read_only_fields = fields


class EvidenceObservationSerializer(ModelSerializer):
    """An observation as evidence: interviewees appear by role (`source_role`), never by name."""

    visited_at = serializers.DateTimeField(source="visit.started_at", read_only=True)
    reporter = serializers.SerializerMethodField()

    class Meta:
        model = Observation
        fields = ["id", "visit", "visited_at", "reporter", "metric", "low", "high", "unit", "qualifier", "status_value",
                  "method", "source_role", "quote", "confidence", "extracted", "rejected"]
        read_only_fields = fields

    def get_reporter(self, observation) -> str:
        reporter = observation.visit.reporter
        return reporter_label(self.context["request"].user, reporter.pk, reporter.username)


class EvidencePhotoSerializer(ModelSerializer):
    """A photo as evidence, with links to the protected file endpoint; position for editors only."""

    thumbnail_url = serializers.SerializerMethodField()
    display_url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "visit", "status", "taken_at", "distance_m", "flags", "flag_details", "caption", "approved_at",
                  "latitude", "longitude", "thumbnail_url", "display_url"]
        read_only_fields = fields

    def _url(self, photo, variant: str) -> str | None:
        if photo.status != "ready":
            return None
        path = reverse("photo-file", args=[photo.pk])
        return self.context["request"].build_absolute_uri(f"{path}?variant={variant}")

    def get_thumbnail_url(self, photo) -> str | None:
        return self._url(photo, "thumbnail")

    def get_display_url(self, photo) -> str | None:
        return self._url(photo, "display")

    def to_representation(self, photo):
        data = super().to_representation(photo)
        if not is_editor(self.context["request"].user):
            for name in ("latitude", "longitude", "distance_m", "flag_details"):
                data.pop(name)
        return data


class DiscrepancySerializer(ModelSerializer):
    """The contract's fields, plus the claim's source and the evidence embedded for the desk.

    Expects a queryset from `surveys.selectors.desk.discrepancies_with_evidence`.
    """

    observations = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    claim_source = ClaimSourceSerializer(source="claim", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Discrepancy
        fields = ["id", "claim", "site", "metric", "kind", "claimed", "observed", "ratio", "severity", "explanation",
                  "explanation_zh", "status", "observations", "photos", "assignee", "reviewer", "reviewed_at",
                  "review_note", "created_at", "updated_at", "claim_source", "evidence"]
        read_only_fields = fields

    def get_observations(self, discrepancy) -> list[str]:
        return [str(observation.pk) for observation in discrepancy.observations.all()]

    def get_photos(self, discrepancy) -> list[str]:
        # Photos of the contradicting observations' visits, read now: later uploads included.
        return sorted(str(photo.pk) for photo in evidence_photos(discrepancy))

    def get_evidence(self, discrepancy) -> dict:
        return {
            "observations": EvidenceObservationSerializer(discrepancy.observations.all(), many=True,
                                                          context=self.context).data,
            "photos": EvidencePhotoSerializer(evidence_photos(discrepancy), many=True, context=self.context).data,
        }


class ReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s.value for s in ReviewStatus if s != ReviewStatus.RESOLVED])
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(allow_null=True, max_length=150, help_text="An editor's username, or null.")


class CommentSerializer(ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    text = serializers.CharField(max_length=5000, trim_whitespace=True)

    class Meta:
        model = DiscrepancyComment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
