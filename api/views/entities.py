from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from api.permissions import EDITORS
from api.serializers.entities import ClaimSerializer, OrganizationSerializer, SiteSerializer
from api.views.base import ApiViewSet, SyncListMixin
from surveys.filters import ClaimFilter, OrganizationFilter, SiteFilter
from surveys.errors import Conflict
from surveys.roles import is_editor
from surveys.selectors.scoping import claims_for, organizations_for, sites_for
from surveys.services.entities import claim_save, entity_delete, organization_save, site_save
from surveys.vocab import Role

class CrudViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    def perform_destroy(self, instance):
        entity_delete(obj=instance, actor=self.request.user)


class OrganizationViewSet(SyncListMixin, CrudViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def get_queryset(self):
        return organizations_for(self.request.user).order_by("name", "id")

    def perform_create(self, serializer):
        serializer.instance = organization_save(organization=None, values=serializer.validated_data,
                                                actor=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = organization_save(organization=serializer.instance, values=serializer.validated_data,
                                                actor=self.request.user)


class SiteViewSet(SyncListMixin, CrudViewSet):
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    write_roles = {"create": EDITORS | {Role.REPORTER}}

    def get_queryset(self):
        sites = sites_for(self.request.user).order_by("name", "id")
        if self.action == "list":
            sites = sites.filter(merged_into__isnull=True)  # a merged duplicate answers only by its id
        return sites

    @extend_schema(responses={200: SiteSerializer, 301: OpenApiTypes.OBJECT})
    def retrieve(self, request, *args, **kwargs):
        """A duplicate merged into another site answers 301 with `merged_into` and the canonical site's URL."""
        site = self.get_object()
        if site.merged_into_id is not None:
            location = request.build_absolute_uri(reverse("site-detail", args=[site.merged_into_id]))
            return Response({"detail": "This site was merged into another one.", "merged_into": site.merged_into_id},
                            status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": location})
        return Response(self.get_serializer(site).data)

    def perform_update(self, serializer):
        if serializer.instance.merged_into_id is not None:
            raise Conflict("This site was merged into another one.", merged_into=serializer.instance.merged_into_id)
        self._save_update(serializer)

    def perform_create(self, serializer):
        serializer.instance = site_save(site=None, values=serializer.validated_data, actor=self.request.user,
                                        as_editor=is_editor(self.request.user))

    def _save_update(self, serializer):
        serializer.instance = site_save(site=serializer.instance, values=serializer.validated_data,
                                        actor=self.request.user, as_editor=True)


class ClaimViewSet(SyncListMixin, CrudViewSet):
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter

    def get_queryset(self):
        return claims_for(self.request.user).order_by("-published_on", "-id")

    def perform_create(self, serializer):
        serializer.instance = claim_save(claim=None, values=serializer.validated_data, actor=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = claim_save(claim=serializer.instance, values=serializer.validated_data,
                                         actor=self.request.user)

