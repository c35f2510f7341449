from rest_framework import serializers

from surveys.models import Discrepancy
from surveys.vocab import ReviewStatus


class DiscrepancySerializer(serializers.ModelSerializer):
    observations = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Discrepancy
        fields = ["id", "claim", "site", "metric", "kind", "claimed", "observed", "ratio", "severity", "explanation",
                  "explanation_zh", "status", "observations", "photos", "assignee", "reviewer", "reviewed_at",
                  "review_note", "created_at", "updated_at"]
        read_only_fields = fields

    def get_observations(self, discrepancy) -> list[str]:
        return [str(observation.pk) for observation in discrepancy.observations.all()]

    def get_photos(self, discrepancy) -> list[str]:
        # Photos of the contradicting observations' visits, read now: later uploads included.
        return sorted({str(photo.pk) for observation in discrepancy.observations.all()
                       for photo in observation.visit.photos.all()})


class ReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s.value for s in ReviewStatus if s != ReviewStatus.RESOLVED])
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
