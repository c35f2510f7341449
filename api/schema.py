"""OpenAPI: token auth, the error shape on every operation, the Idempotency-Key header, filters."""
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import get_view_model
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input (see `errors`).",
    "401": "Missing, wrong, expired or revoked credentials.",
    "403": "The role may not do this.",
    "404": "Not found, or not yours to see.",
    "405": "Method not allowed.",
    "409": "Conflict: a client id used with other content or by someone else, or an Idempotency-Key still in flight.",
    "410": "Gone: no longer available (an expired export).",
    "411": "Content-Length required (chunked bodies are refused).",
    "413": "Upload or request body too large.",
    "415": "Unsupported media type.",
    "422": "Idempotency-Key reused for a different request.",
    "429": "Too many requests.",
}
READ_ERRORS = ("400", "401", "403", "404", "405", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "405", "409", "411", "413", "415", "422", "429")


class FilterSetParameters(DjangoFilterExtension):
    """The query parameters of a view's FilterSet (surveys/filters.py), also for a view without
    a queryset (the exports parse theirs), each with its help text even where its type is
    given by hand (`extend_schema_field`)."""

    priority = 1  # before drf-spectacular's own django-filter extension

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        filterset_class = getattr(auto_schema.view, "filterset_class", None)
        if filterset_class is None:
            return []
        model = get_view_model(auto_schema.view, emit_warnings=False) or filterset_class._meta.model
        return [parameter for name, field in filterset_class.base_filters.items()
                for parameter in self.resolve_filter_field(auto_schema, model, filterset_class, name, field)]

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        help_text = filter_field.extra.get("help_text")
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                parameter["description"] = str(help_text)
            parameter["allowEmptyValue"] = True  # `?until=` is no filter, as a form's empty field
        return parameters


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>` from POST /api/v1/auth/token/."}


class ApiAutoSchema(AutoSchema):
    def get_filter_backends(self):
        """A list's FilterSet, and an APIView's too (the exports name theirs: `filterset_class`)."""
        if self.method == "GET" and getattr(self.view, "filterset_class", None) and not hasattr(self.view, "get_queryset"):
            return [DjangoFilterBackend]
        return super().get_filter_backends()

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST":
            parameters = [*parameters, OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                description="Retry-safe POST: the first answer is replayed to the same user for 48 h.",
            )]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = READ_ERRORS if self.method in ("GET", "HEAD", "OPTIONS") else WRITE_ERRORS
        codes = (*codes, *getattr(self.view, "extra_error_codes", ()))
        for code in codes:
            responses.setdefault(code, {
                "description": ERROR_DESCRIPTIONS[code],
                "content": {"application/json": {"schema": ERROR_SCHEMA}},
            })
        return responses
