from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.response import Response

from api.permissions import EditorsOnly
from api.serializers.discrepancies import DiscrepancySerializer, ReviewSerializer
from api.views.base import ApiView, ApiViewSet
from surveys.models import Observation
from surveys.selectors.scoping import discrepancies_for
from surveys.services.review import discrepancy_review

FILTERS = ["status", "severity", "metric"]


@extend_schema_view(list=extend_schema(parameters=[
    *(OpenApiParameter(name, OpenApiTypes.STR) for name in FILTERS),
    OpenApiParameter("site", OpenApiTypes.INT), OpenApiParameter("assignee", OpenApiTypes.STR),
]))
class DiscrepancyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = DiscrepancySerializer

    def get_queryset(self):
        discrepancies = discrepancies_for(self.request.user).prefetch_related(
            Prefetch("observations", queryset=Observation.objects.select_related("visit").prefetch_related("visit__photos"))
        )
        params = self.request.query_params
        for name in FILTERS:
            if params.get(name):
                discrepancies = discrepancies.filter(**{name: params[name]})
        if params.get("site", "").isdigit():
            discrepancies = discrepancies.filter(site_id=int(params["site"]))
        if params.get("assignee"):
            discrepancies = discrepancies.filter(assignee__username=params["assignee"])
        return discrepancies.order_by("-severity_rank", "-updated_at", "-id")


class DiscrepancyReviewView(ApiView):
    permission_classes = [EditorsOnly]

    @extend_schema(request=ReviewSerializer, responses=DiscrepancySerializer)
    def post(self, request, pk):
        discrepancy = get_object_or_404(discrepancies_for(request.user), pk=pk)
        review = ReviewSerializer(data=request.data)
        review.is_valid(raise_exception=True)
        discrepancy = discrepancy_review(discrepancy=discrepancy, reviewer=request.user, **review.validated_data)
        return Response(DiscrepancySerializer(discrepancy, context={"request": request}).data)
