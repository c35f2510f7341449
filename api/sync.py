"""Cursor sync for phones: `?updated_since=` starts, the opaque `next`/`sync_cursor` continues.

Rows are ordered by (sync_txid, kind, pk), where kind 0 is a live row and 1 a
deletion (tombstone). Only rows written by transactions that committed before
every transaction still running are shown (PostgreSQL snapshot xmin), so a row
committed late, whatever its timestamp, always lands after the cursor. On SQLite
writers are serialised and the counter follows commit order.
"""
import datetime as dt

from django.core import signing
from django.db import connection
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from surveys.filters import MAX_ID
from surveys.selectors.instants import instant_parse

ROW, DELETION = 0, 1
INVALID_CURSOR = "Invalid cursor; start again with ?updated_since=."


def _salt(model) -> str:
    return f"api.sync.cursor.{model._meta.label_lower}"  # a visits cursor is no observations cursor


def _encode(model, position: tuple[int, int, str], since: str) -> str:
    """The position and the feed's start, signed: a cursor this server did not issue is refused."""
    return signing.dumps([*position, since], salt=_salt(model))


def _decode(model, cursor: str) -> tuple[tuple[int, int, str], dt.datetime]:
    try:
        txid, kind, pk, since = signing.loads(cursor, salt=_salt(model))
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
    valid = (isinstance(txid, int) and -1 <= txid <= MAX_ID and kind in (ROW, DELETION)
             and isinstance(pk, str) and len(pk) <= 64 and isinstance(since, str) and since)
    if not valid:  # signed by this server, but in another layout
        raise ValidationError({"cursor": [INVALID_CURSOR]})
    return (txid, kind, pk), instant_parse(since)


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


def sync_response(request, queryset, *, deletions: QuerySet, serialize, limit: int) -> Response:
    """A page of the feed: `queryset`'s changed rows and the `deletions` (Tombstones) of its model."""
    model = queryset.model
    if "cursor" in request.query_params:
        position, since_at = _decode(model, request.query_params["cursor"])
    else:
        since_at = instant_parse(request.query_params["updated_since"])  # validated by the list's FilterSet
        if since_at is None:
            raise ValidationError({"updated_since": ["Expected an ISO 8601 date or date-time."]})
        position = (-1, DELETION, "")
    since = since_at.isoformat()

    rows = queryset.filter(_after(position, ROW, model._meta.pk), updated_at__gte=since_at)
    deletions = deletions.filter(_after(position, DELETION, deletions.model._meta.pk), deleted_at__gte=since_at)
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
    cursor = _encode(model, last, since)
    url = remove_query_param(request.build_absolute_uri(), "updated_since")
    next_url = replace_query_param(url, "cursor", cursor) if has_more else None
    return Response({"next": next_url, "previous": None, "results": results, "sync_cursor": cursor})


def _sortable(pk: str):
    return (0, int(pk), "") if pk.isdigit() else (1, 0, pk)
