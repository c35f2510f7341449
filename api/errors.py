"""One error shape for every API answer: {"detail": "...", "errors": {"field": [...]}}."""
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with an existing object."
    default_code = "conflict"


class LengthRequired(exceptions.APIException):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_detail = "A Content-Length header is required."
    default_code = "length_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def error_body(detail, errors=None) -> dict:
    body = {"detail": str(detail)}
    if errors:
        body["errors"] = errors
    return body


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {field: _flatten(messages) for field, messages in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict("Other records depend on this object (for example visits at a site); it cannot be deleted.")
    elif isinstance(exc, IntegrityError):
        # Validation catches bad input first; this is a race with another write.
        exc = Conflict("This conflicts with data written at the same time; retry.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        messages = _flatten(exc.detail)
        detail = messages[0] if len(messages) == 1 else "Some fields are not valid."
        response.data = error_body(detail, errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        extra = getattr(exc, "errors", None)
        if isinstance(detail, (dict, list)):
            response.data = error_body("; ".join(_flatten(detail)), extra or _field_errors(detail))
        else:
            response.data = error_body(detail, extra)
    return response


def json_error(status_code: int, detail: str) -> JsonResponse:
    return JsonResponse(error_body(detail), status=status_code)


def api_404(request, exception=None):
    """JSON under /api/, Django's own page (with the site's 404.html) for the browser pages."""
    if not request.path.startswith(("/api/", "/v1/")):
        from django.views.defaults import page_not_found

        return page_not_found(request, exception)
    return json_error(404, "Not found.")


def api_500(request):
    return json_error(500, "Server error.")


def bad_request_response(detail: str, errors: dict | None = None, status_code: int = 400) -> Response:
    return Response(error_body(detail, errors), status=status_code)
