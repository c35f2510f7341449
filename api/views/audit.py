from rest_framework import mixins, serializers

from api.permissions import EditorsOnly
from api.serializers.base import ModelSerializer
from api.views.base import ApiViewSet
from surveys.filters import AuditEventFilter
from surveys.models import AuditEvent
from surveys.selectors.desk import audit_events


class AuditEventSerializer(ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True,
                                         help_text="null for the system's own events.")

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "action", "object_type", "object_id", "changes"]
        read_only_fields = fields


class AuditEventViewSet(mixins.ListModelMixin, ApiViewSet):
    """The append-only trail of decisions and accesses, newest first. Editors only."""

    serializer_class = AuditEventSerializer
    permission_classes = [EditorsOnly]
    filterset_class = AuditEventFilter

    def get_queryset(self):
        return audit_events()
