from rest_framework import mixins, status
from rest_framework.response import Response

from api.permissions import EDITORS
from api.serializers.visits import ObservationSerializer, VisitSerializer
from api.views.base import ApiViewSet, SyncListMixin
from surveys.filters import ObservationFilter, VisitFilter
from surveys.selectors.scoping import observations_for, visits_for
from surveys.services.visits import (
    observation_create, observation_delete, observation_update, visit_create, visit_delete, visit_update,
)
from surveys.vocab import Role

WRITERS = EDITORS | {Role.REPORTER}


class ClientIdCreateMixin:
    """POST with a client-generated id: 201 when new, 200 for a same-content retry, 409 otherwise."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        client_id = values.pop("id", None)
        serializer.instance, created = self.create_object(client_id=client_id, values=values)
        return Response(serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OwnedViewSet(ClientIdCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.UpdateModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    write_roles = WRITERS


class VisitViewSet(SyncListMixin, OwnedViewSet):
    serializer_class = VisitSerializer
    filterset_class = VisitFilter

    def get_queryset(self):
        return visits_for(self.request.user).order_by("-started_at", "id")

    def create_object(self, *, client_id, values):
        return visit_create(reporter=self.request.user, client_id=client_id, values=values)

    def perform_update(self, serializer):
        serializer.instance = visit_update(visit=serializer.instance, values=serializer.validated_data,
                                           actor=self.request.user)

    def perform_destroy(self, instance):
        visit_delete(visit=instance, actor=self.request.user)


class ObservationViewSet(SyncListMixin, OwnedViewSet):
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter

    def get_queryset(self):
        return observations_for(self.request.user).order_by("visit__started_at", "created_at", "id")

    def create_object(self, *, client_id, values):
        return observation_create(reporter=self.request.user, client_id=client_id, values=values)

    def perform_update(self, serializer):
        serializer.instance = observation_update(observation=serializer.instance, values=serializer.validated_data,
                                                 actor=self.request.user)

    def perform_destroy(self, instance):
        observation_delete(observation=instance, actor=self.request.user)
