from rest_framework import serializers

from api.serializers.base import ModelSerializer
from api.serializers.values import finite_float
from surveys.models import Discrepancy, Observation, Photo, Site, Visit
from surveys.roles import is_editor
from surveys.selectors.policy import (
    EXPORTER_HIDDEN_FIELDS, flag_details_for, is_restricted, reporter_label, reuse_match_ids, visible_photo_ids,
)
from surveys.selectors.sites import site_position
from surveys.services.values import value_shape_validate
from surveys.services.visits import visit_times_check


class PolicyMixin:
    """Withholds what the exporter policy hides from exporters (see surveys.selectors.policy)."""

    policy_resource = ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and is_restricted(request.user):
            for name in EXPORTER_HIDDEN_FIELDS.get(self.policy_resource, ()):
                if name in data:
                    data[name] = None
        return data


class VisibleDiscrepancyField(serializers.PrimaryKeyRelatedField):
    """A discrepancy the request's user can see: someone else's is "does not exist", as any object
    the user may not see. The scoped queryset is built only when a value comes in (rarely: a visit
    answering a follow-up request), not for every visit posted."""

    def get_queryset(self):
        from surveys.selectors.scoping import discrepancies_for

        request = self.context.get("request")
        return discrepancies_for(request.user) if request is not None else super().get_queryset()


class SiteField(serializers.PrimaryKeyRelatedField):
    """A site by id, loaded with its position only (surveys.selectors.sites: every visit posted reads one)."""

    def to_internal_value(self, data):
        try:
            if isinstance(data, bool):
                raise TypeError
            pk = Site._meta.pk.get_prep_value(data)  # as the ORM's pk=... would take it: "12" and 12
        except (TypeError, ValueError, OverflowError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        site = site_position(pk)
        if site is None:
            self.fail("does_not_exist", pk_value=data)
        return site


class VisitSerializer(PolicyMixin, ModelSerializer):
    policy_resource = "visit"
    id = serializers.UUIDField(required=False)
    site = SiteField(queryset=Site.objects.all())
    reporter = serializers.SerializerMethodField()
    latitude = finite_float(min_value=-90, max_value=90)
    longitude = finite_float(min_value=-180, max_value=180)
    activity_level = serializers.IntegerField(min_value=0, max_value=4, allow_null=True, required=False)
    activity_signs = serializers.ListField(child=serializers.CharField(max_length=200), max_length=50, required=False)
    site_latitude = serializers.FloatField(source="site.latitude", read_only=True, allow_null=True)
    site_longitude = serializers.FloatField(source="site.longitude", read_only=True, allow_null=True)
    followup_of = VisibleDiscrepancyField(
        queryset=Discrepancy.objects.none(), allow_null=True, required=False,
        help_text="The discrepancy whose follow-up request this visit answers (one the user can see), or null.",
    )

    class Meta:
        model = Visit
        fields = ["id", "site", "reporter", "started_at", "ended_at", "latitude", "longitude", "site_latitude",
                  "site_longitude", "notes", "observed_status", "activity_level", "activity_signs", "followup_of",
                  "processing", "processing_error", "created_at", "updated_at"]
        read_only_fields = ["processing", "processing_error", "created_at", "updated_at"]

    def get_reporter(self, visit) -> str:
        return reporter_label(self.context["request"].user, visit.reporter_id, visit.reporter.username)

    def validate(self, attrs):
        started = attrs.get("started_at", getattr(self.instance, "started_at", None))
        ended = attrs.get("ended_at", getattr(self.instance, "ended_at", None))
        visit_times_check(started_at=started, ended_at=ended)
        if self.instance is not None:
            if attrs.pop("id", self.instance.pk) != self.instance.pk:
                raise serializers.ValidationError({"id": ["The id of a visit cannot change."]})
        return attrs


class ObservationSerializer(ModelSerializer):
    id = serializers.UUIDField(required=False)
    low = finite_float()
    high = finite_float()
    confidence = serializers.FloatField(min_value=0, max_value=1, required=False)

    class Meta:
        model = Observation
        fields = ["id", "visit", "metric", "low", "high", "unit", "qualifier", "status_value", "method",
                  "source_role", "quote", "confidence", "extracted", "rejected", "created_at", "updated_at"]
        read_only_fields = ["extracted", "created_at", "updated_at"]
        extra_kwargs = {"unit": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            from surveys.selectors.scoping import visits_for

            self.fields["visit"].queryset = visits_for(request.user)
            if not is_editor(request.user):
                self.fields["rejected"].read_only = True

    def validate(self, attrs):
        if self.instance is not None:
            attrs.pop("id", None)
            if "visit" in attrs and attrs["visit"].pk != self.instance.visit_id:
                raise serializers.ValidationError({"visit": ["An observation cannot move to another visit."]})
        return value_shape_validate(attrs, instance=self.instance)


class PhotoListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        # The photos a page's reused flags name, checked against the viewer's scope in one query.
        photos = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        if request is not None:
            ids = set().union(*(reuse_match_ids(photo.flag_details) for photo in photos))
            self.child.visible_ids = visible_photo_ids(request.user, ids)
        return super().to_representation(photos)


class PhotoSerializer(PolicyMixin, ModelSerializer):
    policy_resource = "photo"
    files = serializers.SerializerMethodField()
    flag_details = serializers.SerializerMethodField(
        help_text="The numbers behind each flag, under the exporter policy; a reused flag lists only the matching "
                  "photos the user may see.")
    visible_ids: set[str] | None = None

    class Meta:
        model = Photo
        fields = ["id", "visit", "status", "error", "sha256", "width", "height", "taken_at", "latitude",
                  "longitude", "gps_time", "camera_make", "camera_model", "distance_m", "flags", "flag_details",
                  "faces_blurred", "caption", "approved_at", "files", "created_at", "updated_at"]
        read_only_fields = [f for f in fields if f != "caption"]
        list_serializer_class = PhotoListSerializer

    def get_flag_details(self, photo) -> dict:
        user = self.context["request"].user
        visible = self.visible_ids
        if visible is None:
            visible = visible_photo_ids(user, reuse_match_ids(photo.flag_details))
        return flag_details_for(user, photo.flag_details, visible_ids=visible)

    def get_files(self, photo) -> dict:
        from django.urls import reverse

        from surveys.selectors.policy import photo_variants

        request = self.context["request"]
        base = request.build_absolute_uri(reverse("photo-file", args=[photo.pk]))
        return {variant: f"{base}?variant={variant}" for variant in photo_variants(request.user, photo)}


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    id = serializers.UUIDField(required=False)
    caption = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
