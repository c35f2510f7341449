from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from api.permissions import EditorsOnly
from api.serializers.base import ModelSerializer
from api.views.base import ApiViewSet
from surveys.models import AuditEvent
from surveys.selectors.desk import audit_events


class AuditEventSerializer(ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "action", "object_type", "object_id", "changes"]
        read_only_fields = fields


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("object_type", OpenApiTypes.STR, description='e.g. "surveys.discrepancy"'),
    OpenApiParameter("object_id", OpenApiTypes.STR),
    OpenApiParameter("action", OpenApiTypes.STR, description='e.g. "discrepancy.review"'),
]))
class AuditEventViewSet(mixins.ListModelMixin, ApiViewSet):
    """The append-only trail of decisions and accesses, newest first. Editors only."""

    serializer_class = AuditEventSerializer
    permission_classes = [EditorsOnly]

    def get_queryset(self):
        params = self.request.query_params
        return audit_events(object_type=params.get("object_type", ""), object_id=params.get("object_id", ""),
                            action=params.get("action", ""))
