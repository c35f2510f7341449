from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import serializers

from api.serializers.base import ModelSerializer
from surveys.exports.columns import FORMATS
from surveys.filters import export_filters
from surveys.models import ExportJob
from surveys.selectors.exports import ExportFilters
from surveys.vocab import Metric, ReviewStatus


class ExportFiltersSerializer(serializers.Serializer):
    """An export job's filters: the fields document the body; the values are read by the
    exports' FilterSet (surveys.filters.ExportFilter), as the streaming endpoints' query is."""

    site = serializers.IntegerField(min_value=1, required=False)
    since = serializers.CharField(required=False, help_text="A visit's started_at at or after (date or date-time).")
    until = serializers.CharField(required=False, help_text="A visit's started_at before (date or date-time).")
    status = serializers.ChoiceField(choices=[s.value for s in ReviewStatus], required=False,
                                     help_text="Discrepancies' review status.")
    metric = serializers.ChoiceField(choices=[m.value for m in Metric], required=False)

    def to_internal_value(self, data) -> ExportFilters:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected an object of filters."]})
        try:
            return export_filters(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None


class ExportJobCreateSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(FORMATS))
    filters = ExportFiltersSerializer(required=False)
    include_photos = serializers.BooleanField(default=False,
                                              help_text="A ZIP with the export, approved display images and a manifest.")

    def to_filters(self) -> ExportFilters:
        return self.validated_data.get("filters", ExportFilters())


class ExportJobSerializer(ModelSerializer):
    progress = serializers.SerializerMethodField(help_text="Percent done.")
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "format", "filters", "include_photos", "status", "progress", "rows", "total", "error",
                  "download", "created_at", "finished_at", "expires_at"]
        read_only_fields = fields

    def get_progress(self, job) -> float:
        return round(job.progress, 1)

    def get_download(self, job) -> str | None:
        if job.status != ExportJob.State.DONE:
            return None
        return self.context["request"].build_absolute_uri(reverse("export-job-download", args=[job.pk]))
