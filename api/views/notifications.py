"""The user's own notification preferences (docs/notifications.md)."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.serializers.base import ModelSerializer
from api.views.base import ApiView
from api.views.discrepancies import ANY_ROLE
from surveys.models import NotificationPreference
from surveys.services.notifications import PREFERENCE_FIELDS, notification_preference_get, notification_preference_update


class NotificationPreferenceSerializer(ModelSerializer):
    email = serializers.CharField(source="user.email", read_only=True,
                                   help_text="Where the mails go (set by an admin); empty: no mail can be sent.")

    class Meta:
        model = NotificationPreference
        fields = ["email", *PREFERENCE_FIELDS]


class NotificationPreferenceView(ApiView):
    """What the user is told by mail: each kind off or immediately (new high-severity discrepancies,
    for editors: also as a daily digest), and the mails' language."""

    write_roles = ANY_ROLE

    @extend_schema(responses=NotificationPreferenceSerializer)
    def get(self, request):
        return Response(NotificationPreferenceSerializer(notification_preference_get(user=request.user)).data)

    @extend_schema(request=NotificationPreferenceSerializer, responses=NotificationPreferenceSerializer)
    def patch(self, request):
        serializer = NotificationPreferenceSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        preference = notification_preference_update(user=request.user, **serializer.validated_data)
        return Response(NotificationPreferenceSerializer(preference).data)
