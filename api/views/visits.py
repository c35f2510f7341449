from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from api.permissions import EDITORS
from api.serializers.visits import ObservationSerializer, VisitSerializer
from api.views.base import ApiViewSet, SyncListMixin
from api.views.entities import SYNC_PARAMETERS
from surveys.roles import role_of
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

    def tombstone_scope(self) -> Q:
        return Q(owner_id=self.request.user.pk) if role_of(self.request.user) == Role.REPORTER else Q()


@extend_schema_view(list=extend_schema(parameters=[
    *SYNC_PARAMETERS, OpenApiParameter("site", OpenApiTypes.INT),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="started_at at or after"),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="started_at before"),
]))
class VisitViewSet(SyncListMixin, OwnedViewSet):
    serializer_class = VisitSerializer

    def get_queryset(self):
        visits = visits_for(self.request.user)
        params = self.request.query_params
        if params.get("site", "").isdigit():
            visits = visits.filter(site_id=int(params["site"]))
        from api.filters import datetime_param

        if since := datetime_param(params, "since"):
            visits = visits.filter(started_at__gte=since)
        if until := datetime_param(params, "until"):
            visits = visits.filter(started_at__lt=until)
        return visits.order_by("-started_at", "id")

    def create_object(self, *, client_id, values):
        return visit_create(reporter=self.request.user, client_id=client_id, values=values)

    def perform_update(self, serializer):
        serializer.instance = visit_update(visit=serializer.instance, values=serializer.validated_data)

    def perform_destroy(self, instance):
        visit_delete(visit=instance)


@extend_schema_view(list=extend_schema(parameters=[*SYNC_PARAMETERS, OpenApiParameter("visit", OpenApiTypes.UUID)]))
class ObservationViewSet(SyncListMixin, OwnedViewSet):
    serializer_class = ObservationSerializer

    def get_queryset(self):
        observations = observations_for(self.request.user)
        visit = self.request.query_params.get("visit")
        if visit:
            from api.filters import uuid_param

            observations = observations.filter(visit_id=uuid_param(visit, "visit"))
        return observations.order_by("visit__started_at", "created_at", "id")

    def create_object(self, *, client_id, values):
        return observation_create(reporter=self.request.user, client_id=client_id, values=values)

    def perform_update(self, serializer):
        serializer.instance = observation_update(observation=serializer.instance, values=serializer.validated_data,
                                                 actor=self.request.user)

    def perform_destroy(self, instance):
        observation_delete(observation=instance)
