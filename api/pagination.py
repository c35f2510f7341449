from collections import OrderedDict

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Far beyond any table, and within the databases' 64-bit OFFSET even with the limit added.
MAX_OFFSET = 2**62


class LimitPagination(BasePagination):
    """`?limit=` (capped) and `?offset=`, with next/previous links and no COUNT query.

    One extra row is fetched to know whether a next page exists, so a page costs
    one query however large the table. A limit above the cap is capped; a value that
    is no whole number, or out of range, is a 400 naming the parameter.
    """

    default_limit = settings.REST_FRAMEWORK["PAGE_SIZE"]
    max_limit = settings.API_MAX_PAGE_SIZE

    @staticmethod
    def _int_param(request, name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
        raw = request.query_params.get(name, "")
        if raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError({name: ["Expected a whole number."]}) from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
            raise ValidationError({name: [f"Expected a whole number {bound}."]})
        return value

    def page_limit(self, request) -> int:
        return min(self._int_param(request, "limit", default=self.default_limit, minimum=1), self.max_limit)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.page_limit(request)
        self.offset = self._int_param(request, "offset", default=0, minimum=0, maximum=MAX_OFFSET)
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        return rows[: self.limit]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, "limit", self.limit)
        return replace_query_param(url, "offset", self.offset + self.limit)

    def get_previous_link(self):
        if self.offset <= 0:
            return None
        url = replace_query_param(self.request.build_absolute_uri(), "limit", self.limit)
        previous = self.offset - self.limit
        return remove_query_param(url, "offset") if previous <= 0 else replace_query_param(url, "offset", previous)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)])
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "limit", "required": False, "in": "query",
             "description": f"Page size (at most {self.max_limit}).", "schema": {"type": "integer", "minimum": 1}},
            {"name": "offset", "required": False, "in": "query",
             "description": "Rows to skip.", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}},
        ]


DELETION_SCHEMA = {
    "type": "object",
    "required": ["id", "deleted", "deleted_at"],
    "properties": {
        "id": {"type": "string", "description": "The deleted object's id, as text."},
        "deleted": {"type": "boolean", "enum": [True]},
        "deleted_at": {"type": "string", "format": "date-time"},
    },
}


class SyncFeedPagination(LimitPagination):
    """A synced resource's list, which `?updated_since=` or `?cursor=` turns into its sync feed
    (api/sync.py): there the results also hold deletions, and the page its `sync_cursor`."""

    def get_paginated_response_schema(self, schema):
        rows = {"type": "array", "items": {"oneOf": [schema["items"], DELETION_SCHEMA]}}
        response = super().get_paginated_response_schema(rows)
        response["properties"]["sync_cursor"] = {
            "type": "string", "description": "Sync feed only: where the next sync resumes (`?cursor=`)."}
        return response
