from rest_framework import viewsets
from rest_framework.views import APIView

from api.idempotency import IdempotentPostMixin
from api.permissions import RoleWrite
from api.sync import is_sync_request, sync_response
from django.db.models import Q


class ApiView(IdempotentPostMixin, APIView):
    permission_classes = [RoleWrite]


class ApiViewSet(IdempotentPostMixin, viewsets.GenericViewSet):
    permission_classes = [RoleWrite]


class SyncListMixin:
    """`?updated_since=` / `?cursor=` turn a list into the sync feed (see api/sync.py)."""

    def tombstone_scope(self) -> Q:
        return Q()

    def list(self, request, *args, **kwargs):
        if not is_sync_request(request):
            return super().list(request, *args, **kwargs)
        paginator = self.paginator
        limit = min(max(paginator._int_param(request, "limit", paginator.default_limit), 1), paginator.max_limit)
        return sync_response(
            request, self.filter_queryset(self.get_queryset()),
            serialize=lambda rows: self.get_serializer(rows, many=True).data,
            tombstone_scope=self.tombstone_scope(), limit=limit,
        )
