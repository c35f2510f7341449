"""Webhook deliveries for admins: the delivery log, and replay (docs/notifications.md)."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from api.serializers.base import ModelSerializer
from api.views.auth import AdminsOnly
from api.views.base import ApiView, ApiViewSet
from surveys.filters import DeliveryFilter
from surveys.models import Delivery, DeliveryAttempt
from surveys.services.outbox import delivery_replay


class DeliveryAttemptSerializer(ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "attempted_at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class DeliverySerializer(ModelSerializer):
    event = serializers.CharField(source="event.event", read_only=True)
    event_id = serializers.UUIDField(read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    log = DeliveryAttemptSerializer(source="attempt_log", many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "event", "event_id", "channel", "endpoint", "user", "state", "attempts", "next_attempt_at",
                  "sent_at", "last_error", "replay_of", "created_at", "log"]
        read_only_fields = fields


def _deliveries():
    return Delivery.objects.select_related("event", "user").prefetch_related("attempt_log").order_by("-created_at",
                                                                                                      "id")


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Mails and webhook deliveries of the outbox, newest first, each with its log of tries. Admins only."""

    serializer_class = DeliverySerializer
    permission_classes = [AdminsOnly]
    filterset_class = DeliveryFilter

    def get_queryset(self):
        return _deliveries()


class DeliveryReplayView(ApiView):
    """Send a webhook delivery again: a new delivery of the same event (same body and X-Event-Id, a new
    X-Delivery-Id). Admins only."""

    permission_classes = [AdminsOnly]

    @extend_schema(request=None, responses={201: DeliverySerializer})
    def post(self, request, pk):
        delivery = get_object_or_404(Delivery, pk=pk)
        replay = delivery_replay(delivery=delivery, actor=request.user)
        return Response(DeliverySerializer(_deliveries().get(pk=replay.pk)).data, status=status.HTTP_201_CREATED)
