from rest_framework import serializers

from api.serializers.base import ModelSerializer, StrictCharField
from api.serializers.values import finite_float
from surveys.models import Claim, Organization, Site
from surveys.services.claims import claim_values_validate
from surveys.services.entities import site_radius_validate, site_timezone_validate


class AliasesField(serializers.ListField):
    child = StrictCharField(max_length=300)

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=50, **kwargs)


class OrganizationSerializer(ModelSerializer):
    aliases = AliasesField()

    class Meta:
        model = Organization
        fields = ["id", "name", "aliases", "parent", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class SiteSerializer(ModelSerializer):
    aliases = AliasesField()
    pinyin = serializers.SerializerMethodField(
        help_text="Toneless pinyin of the Chinese name and aliases, for searching offline (read-only).")
    latitude = finite_float(min_value=-90, max_value=90)
    longitude = finite_float(min_value=-180, max_value=180)

    class Meta:
        model = Site
        fields = ["id", "name", "aliases", "pinyin", "kind", "organization", "parent", "latitude", "longitude",
                  "radius_m", "timezone", "verified", "merged_into", "created_at", "updated_at"]
        read_only_fields = ["merged_into", "created_at", "updated_at"]

    def get_pinyin(self, site) -> list[str]:
        from surveys.engine.entities import pinyin_spellings

        return pinyin_spellings(site.all_names())

    def validate_timezone(self, value):
        return site_timezone_validate(value)

    def validate_radius_m(self, value):
        return site_radius_validate(value)


class ClaimSerializer(ModelSerializer):
    low = finite_float()
    high = finite_float()

    class Meta:
        model = Claim
        fields = ["id", "site", "organization", "metric", "low", "high", "unit", "qualifier", "status_value",
                  "due_date", "is_target", "text", "source_name", "source_url", "source_kind", "published_on",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"unit": {"required": False}, "metric": {"required": False}}

    def validate(self, attrs):
        return claim_values_validate(attrs, claim=self.instance)
