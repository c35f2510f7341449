from rest_framework import mixins

from api.permissions import EDITORS
from api.serializers.entities import ClaimSerializer, OrganizationSerializer, SiteSerializer
from api.views.base import ApiViewSet, SyncListMixin
from surveys.filters import ClaimFilter, OrganizationFilter, SiteFilter
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
        return sites_for(self.request.user).order_by("name", "id")

    def perform_create(self, serializer):
        serializer.instance = site_save(site=None, values=serializer.validated_data, actor=self.request.user,
                                        as_editor=is_editor(self.request.user))

    def perform_update(self, serializer):
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

