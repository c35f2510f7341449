"""Editors' desk actions besides reviews: link proposals, site verification, photo approval."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response

from api.permissions import EditorsOnly
from api.serializers.base import ModelSerializer
from api.serializers.entities import SiteSerializer
from api.serializers.visits import PhotoSerializer
from api.views.base import ApiView, ApiViewSet
from api.views.discrepancies import ANY_ROLE, editor_object
from surveys.models import LinkProposal, Site
from surveys.selectors.desk import pending_link_proposals
from surveys.selectors.scoping import photos_for
from surveys.services.desk import link_proposal_decide, photo_approve, site_verify


class LinkProposalSerializer(ModelSerializer):
    class Meta:
        model = LinkProposal
        fields = ["id", "site", "site_name", "candidate_site", "candidate_organization", "candidate_name", "score",
                  "decision", "decided_by", "decided_at", "created_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[LinkProposal.Decision.ACCEPTED, LinkProposal.Decision.REJECTED])


class ApprovalSerializer(serializers.Serializer):
    approved = serializers.BooleanField(default=True)


class LinkProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The matcher's fuzzy name matches waiting for an editor (`?decision=` for decided ones)."""

    serializer_class = LinkProposalSerializer
    permission_classes = [EditorsOnly]

    def get_queryset(self):
        decision = self.request.query_params.get("decision")
        if decision:
            return LinkProposal.objects.filter(decision=decision).order_by("-score", "id")
        return pending_link_proposals()


class LinkProposalDecideView(ApiView):
    permission_classes = [EditorsOnly]

    @extend_schema(request=DecisionSerializer, responses=LinkProposalSerializer)
    def post(self, request, pk):
        proposal = get_object_or_404(LinkProposal, pk=pk)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposal = link_proposal_decide(proposal=proposal, actor=request.user,
                                        accept=body.validated_data["decision"] == LinkProposal.Decision.ACCEPTED)
        return Response(LinkProposalSerializer(proposal).data)


class SiteVerifyView(ApiView):
    """A reporter's proposed site becomes `verified: true`."""

    permission_classes = [EditorsOnly]

    @extend_schema(request=None, responses=SiteSerializer)
    def post(self, request, pk):
        site = site_verify(site=get_object_or_404(Site, pk=pk), actor=request.user)
        return Response(SiteSerializer(site, context={"request": request}).data)


class PhotoApproveView(ApiView):
    """`{"approved": true}` approves the display image for publication; `false` withdraws it."""

    write_roles = ANY_ROLE

    @extend_schema(request=ApprovalSerializer, responses=PhotoSerializer)
    def post(self, request, photo_id):
        photo = editor_object(request, photos_for(request.user), pk=photo_id)
        body = ApprovalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        photo = photo_approve(photo=photo, approved=body.validated_data["approved"], actor=request.user)
        return Response(PhotoSerializer(photo, context={"request": request}).data)
