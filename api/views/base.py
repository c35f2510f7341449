from rest_framework import viewsets
from rest_framework.views import APIView

from api.idempotency import IdempotentPostMixin
from api.pagination import SyncFeedPagination
from api.permissions import RoleWrite
from api.sync import is_sync_request, sync_response
from surveys.selectors.scoping import deletions_for


class ApiView(IdempotentPostMixin, APIView):
    permission_classes = [RoleWrite]


class ApiViewSet(IdempotentPostMixin, viewsets.GenericViewSet):
    permission_classes = [RoleWrite]


class SyncListMixin:
    """`?updated_since=` / `?cursor=` turn a list into the sync feed (see api/sync.py).

    The feed's deletions are scoped like its rows (surveys.selectors.scoping.deletions_for).
    """

    pagination_class = SyncFeedPagination

    def list(self, request, *args, **kwargs):
        if not is_sync_request(request):
            return super().list(request, *args, **kwargs)
        rows = self.filter_queryset(self.get_queryset())
        return sync_response(
            request, rows, deletions=deletions_for(request.user, rows.model),
            serialize=lambda page: self.get_serializer(page, many=True).data,
            limit=self.paginator.page_limit(request),
        )
