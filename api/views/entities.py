from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins

from api.permissions import EDITORS
from api.serializers.entities import ClaimSerializer, OrganizationSerializer, SiteSerializer
from api.views.base import ApiViewSet, SyncListMixin
from surveys.roles import is_editor
from surveys.selectors.scoping import claims_for, organizations_for, sites_for
from surveys.services.entities import claim_save, entity_delete, organization_save, site_save
from surveys.vocab import Role

SYNC_PARAMETERS = [
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Start a sync feed: rows changed since."),
    OpenApiParameter("cursor", OpenApiTypes.STR, description="Continue a sync feed (from `next` or `sync_cursor`)."),
]
SEARCH = OpenApiParameter("search", OpenApiTypes.STR, description="Names and aliases, any script.")


def _search(queryset, request):
    term = request.query_params.get("search", "").strip().casefold()
    return queryset.filter(search_text__contains=term) if term else queryset


class CrudViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    def perform_destroy(self, instance):
        entity_delete(obj=instance, actor=self.request.user)


@extend_schema_view(list=extend_schema(parameters=[SEARCH, *SYNC_PARAMETERS]))
class OrganizationViewSet(SyncListMixin, CrudViewSet):
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        return _search(organizations_for(self.request.user), self.request).order_by("name", "id")

    def perform_create(self, serializer):
        serializer.instance = organization_save(organization=None, values=serializer.validated_data,
                                                actor=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = organization_save(organization=serializer.instance, values=serializer.validated_data,
                                                actor=self.request.user)


@extend_schema_view(list=extend_schema(parameters=[
    SEARCH, *SYNC_PARAMETERS,
    OpenApiParameter("verified", OpenApiTypes.BOOL), OpenApiParameter("kind", OpenApiTypes.STR),
    OpenApiParameter("parent", OpenApiTypes.INT),
]))
class SiteViewSet(SyncListMixin, CrudViewSet):
    serializer_class = SiteSerializer
    write_roles = {"create": EDITORS | {Role.REPORTER}}

    def get_queryset(self):
        sites = _search(sites_for(self.request.user), self.request)
        params = self.request.query_params
        if "verified" in params:
            sites = sites.filter(verified=params["verified"].lower() in ("1", "true", "yes"))
        if params.get("kind"):
            sites = sites.filter(kind=params["kind"])
        if params.get("parent", "").isdigit():
            sites = sites.filter(parent_id=int(params["parent"]))
        return sites.order_by("name", "id")

    def perform_create(self, serializer):
        serializer.instance = site_save(site=None, values=serializer.validated_data, actor=self.request.user,
                                        as_editor=is_editor(self.request.user))

    def perform_update(self, serializer):
        serializer.instance = site_save(site=serializer.instance, values=serializer.validated_data,
                                        actor=self.request.user, as_editor=True)


@extend_schema_view(list=extend_schema(parameters=[
    *SYNC_PARAMETERS, OpenApiParameter("site", OpenApiTypes.INT), OpenApiParameter("organization", OpenApiTypes.INT),
    OpenApiParameter("metric", OpenApiTypes.STR),
]))
class ClaimViewSet(SyncListMixin, CrudViewSet):
    serializer_class = ClaimSerializer

    def get_queryset(self):
        claims = claims_for(self.request.user)
        params = self.request.query_params
        for name in ("site", "organization"):
            if params.get(name, "").isdigit():
                claims = claims.filter(**{f"{name}_id": int(params[name])})
        if params.get("metric"):
            claims = claims.filter(metric=params["metric"])
        return claims.order_by("-published_on", "-id")

    def perform_create(self, serializer):
        serializer.instance = claim_save(claim=None, values=serializer.validated_data, actor=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = claim_save(claim=serializer.instance, values=serializer.validated_data,
                                         actor=self.request.user)

