"""Cursor sync for phones: `?updated_since=` starts, the opaque `next`/`sync_cursor` continues.

Rows are ordered by (sync_txid, kind, pk), where kind 0 is a live row and 1 a
deletion (tombstone). Only rows written by transactions that committed before
every transaction still running are shown (PostgreSQL snapshot xmin), so a row
committed late, whatever its timestamp, always lands after the cursor. On SQLite
writers are serialised and the counter follows commit order.
"""
import base64
import binascii
import json

from django.db import connection
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.filters import datetime_param
from surveys.models import Tombstone

ROW, DELETION = 0, 1


def _encode(position: tuple[int, int, str], since: str) -> str:
    raw = json.dumps([*position, since], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[tuple[int, int, str], str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        txid, kind, pk, since = json.loads(raw)
        if not isinstance(txid, int) or kind not in (ROW, DELETION) or not isinstance(pk, str):
            raise ValueError
        return (txid, kind, pk), since
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": ["Invalid cursor."]}) from None


def committed_horizon() -> int | None:
    """Writes with a smaller sync_txid are committed and no running transaction can add one."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return cursor.fetchone()[0]


def is_sync_request(request) -> bool:
    return "updated_since" in request.query_params or "cursor" in request.query_params


def _after(position: tuple[int, int, str], kind: int, pk_field) -> Q:
    txid, cursor_kind, pk = position
    later = Q(sync_txid__gt=txid)
    if kind > cursor_kind:
        return later | Q(sync_txid=txid)
    if kind == cursor_kind and pk != "":
        return later | Q(sync_txid=txid, pk__gt=pk_field.to_python(pk))
    return later


def sync_response(request, queryset, *, serialize, tombstone_scope: Q, limit: int) -> Response:
    model = queryset.model
    if "cursor" in request.query_params:
        position, since = _decode(request.query_params["cursor"])
    else:
        since_at = datetime_param(request.query_params, "updated_since")
        if since_at is None:
            raise ValidationError({"updated_since": ["Expected an ISO 8601 date-time."]})
        since = since_at.isoformat()
        position = (-1, DELETION, "")
    since_at = datetime_param({"since": since}, "since")

    rows = queryset.filter(_after(position, ROW, model._meta.pk), updated_at__gte=since_at)
    deletions = Tombstone.objects.filter(
        tombstone_scope, _after(position, DELETION, Tombstone._meta.pk),
        model=model._meta.model_name, deleted_at__gte=since_at,
    )
    horizon = committed_horizon()
    if horizon is not None:
        rows = rows.filter(sync_txid__lt=horizon)
        deletions = deletions.filter(sync_txid__lt=horizon)

    live = [((row.sync_txid, ROW, str(row.pk)), row) for row in rows.order_by("sync_txid", "pk")[: limit + 1]]
    gone = [((t.sync_txid, DELETION, str(t.pk)), t) for t in deletions.order_by("sync_txid", "pk")[: limit + 1]]
    merged = sorted(live + gone, key=lambda item: (item[0][0], item[0][1], _sortable(item[0][2])))
    page, has_more = merged[:limit], len(merged) > limit

    results = []
    live_rows = [obj for key, obj in page if key[1] == ROW]
    serialized = iter(serialize(live_rows))
    for key, obj in page:
        if key[1] == ROW:
            results.append(next(serialized))
        else:
            results.append({"id": obj.object_id, "deleted": True, "deleted_at": obj.deleted_at.isoformat()})
    last = page[-1][0] if page else position
    cursor = _encode(last, since)
    url = remove_query_param(request.build_absolute_uri(), "updated_since")
    next_url = replace_query_param(url, "cursor", cursor) if has_more else None
    return Response({"next": next_url, "previous": None, "results": results, "sync_cursor": cursor})


def _sortable(pk: str):
    return (0, int(pk), "") if pk.isdigit() else (1, 0, pk)
