"""OpenAPI: token auth, the error shape on every operation, the Idempotency-Key header."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
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
    "411": "Content-Length required (chunked bodies are refused).",
    "413": "Upload too large.",
    "415": "Unsupported media type.",
    "422": "Idempotency-Key reused for a different request.",
    "429": "Too many requests.",
}
READ_ERRORS = ("400", "401", "404", "405", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "405", "409", "411", "413", "415", "422", "429")


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>` from POST /api/v1/auth/token/."}


class ApiAutoSchema(AutoSchema):
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
        for code in codes:
            responses.setdefault(code, {
                "description": ERROR_DESCRIPTIONS[code],
                "content": {"application/json": {"schema": ERROR_SCHEMA}},
            })
        return responses
