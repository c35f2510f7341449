from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from api.pagination import LimitPagination
from api.serializers.discrepancies import (
    AssignSerializer, CommentSerializer, DecisionSerializer, DiscrepancySerializer, ReviewSerializer,
)
from api.views.base import ApiView, ApiViewSet
from surveys.roles import is_editor
from surveys.filters import DiscrepancyFilter
from surveys.selectors.desk import decision_history, discrepancies_with_evidence
from surveys.selectors.scoping import discrepancies_for
from surveys.services.desk import NOT_AN_EDITOR, discrepancy_assign, discrepancy_comment_add
from surveys.services.review import discrepancy_review
from surveys.vocab import Role


# Any role reaches these handlers, which answer 404 for an object the user cannot see (the
# contract's rule) and only then 403 to a non-editor who can see it.
ANY_ROLE = frozenset(Role)


def editor_object(request, queryset, **lookup):
    obj = get_object_or_404(queryset, **lookup)
    if not is_editor(request.user):
        raise PermissionDenied()
    return obj


def _detail(request, discrepancy) -> Response:
    """The discrepancy as the list and detail show it, reloaded with its evidence."""
    discrepancy = discrepancies_with_evidence(request.user).get(pk=discrepancy.pk)
    return Response(DiscrepancySerializer(discrepancy, context={"request": request}).data)


class DiscrepancyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Severity first, then newest. Reporters read those resting on their own visits; exporters confirmed ones."""

    serializer_class = DiscrepancySerializer
    filterset_class = DiscrepancyFilter

    def get_queryset(self):
        return discrepancies_with_evidence(self.request.user)


class DiscrepancyDecisionsView(ApiView):
    """The review history: every decision, newest first, with the snapshot it was made on. Editors only."""

    write_roles = ANY_ROLE
    pagination_class = LimitPagination

    @extend_schema(responses=DecisionSerializer(many=True))
    def get(self, request, pk):
        discrepancy = editor_object(request, discrepancies_for(request.user), pk=pk)
        decisions = decision_history(discrepancy)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(decisions, request, view=self)
        return paginator.get_paginated_response(DecisionSerializer(page, many=True).data)


class DiscrepancyReviewView(ApiView):
    write_roles = ANY_ROLE

    @extend_schema(request=ReviewSerializer, responses=DiscrepancySerializer)
    def post(self, request, pk):
        discrepancy = editor_object(request, discrepancies_for(request.user), pk=pk)
        review = ReviewSerializer(data=request.data)
        review.is_valid(raise_exception=True)
        discrepancy = discrepancy_review(discrepancy=discrepancy, reviewer=request.user, **review.validated_data)
        return _detail(request, discrepancy)


class DiscrepancyAssignView(ApiView):
    """`{"assignee": "username"}` hands the discrepancy to an editor; `null` unassigns it."""

    write_roles = ANY_ROLE

    @extend_schema(request=AssignSerializer, responses=DiscrepancySerializer)
    def post(self, request, pk):
        discrepancy = editor_object(request, discrepancies_for(request.user), pk=pk)
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        username, assignee = body.validated_data["assignee"], None
        if username is not None:
            assignee = get_user_model().objects.filter(username=username).first()
            if assignee is None:
                raise ValidationError({"assignee": [NOT_AN_EDITOR]})
        discrepancy = discrepancy_assign(discrepancy=discrepancy, assignee=assignee, actor=request.user)
        return _detail(request, discrepancy)


class DiscrepancyCommentsView(ApiView):
    """The editors' discussion of a discrepancy, oldest first. Internal: editors only."""

    write_roles = ANY_ROLE
    pagination_class = LimitPagination

    def _discrepancy(self, request, pk):
        return editor_object(request, discrepancies_for(request.user), pk=pk)

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request, pk):
        comments = self._discrepancy(request, pk).comments.select_related("author").order_by("created_at", "id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(comments, request, view=self)
        return paginator.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    def post(self, request, pk):
        discrepancy = self._discrepancy(request, pk)
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = discrepancy_comment_add(discrepancy=discrepancy, author=request.user, text=body.validated_data["text"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
