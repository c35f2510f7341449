"""The one exception handler: every API error in the contract's shape.

`{"detail": "...", "errors": {"field": ["..."]}}`, plus the extra keys a domain error
carries. Views raise and let this translate: the domain errors (surveys/errors.py),
Django's ValidationError, constraint violations, protected deletes, Http404,
PermissionDenied and Django's own request limits, besides DRF's exceptions.
"""
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import (
    PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, ValidationError as DjangoValidationError,
)
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse, UnreadablePostError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler, set_rollback

from surveys.errors import Conflict, DomainError

PROTECTED = "Other records depend on this object (for example visits at a site); it cannot be deleted."
# SQLSTATE classes of integrity violations (PostgreSQL); SQLite says the same in words.
_UNIQUE, _FOREIGN_KEY, _CHECK, _NOT_NULL = "23505", "23503", "23514", "23502"
_SQLITE_WORDS = {"UNIQUE": _UNIQUE, "FOREIGN KEY": _FOREIGN_KEY, "CHECK": _CHECK, "NOT NULL": _NOT_NULL}


def exception_handler(exc, context):
    exc = _translated(exc)
    if isinstance(exc, DomainError):
        set_rollback()
        retry_after = getattr(exc, "retry_after", None)
        return Response(exc.body(), status=exc.status,
                        headers={"Retry-After": str(retry_after)} if retry_after is not None else None)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _drf_body(exc)
    return response


def _translated(exc: Exception) -> Exception:
    """Django's and the database's exceptions as the DRF or domain error they answer as."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()  # never the model name Django puts in the message
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Conflict(PROTECTED)
    if isinstance(exc, IntegrityError):
        return integrity_error(exc)
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        return request_limit_error(exc)
    if isinstance(exc, UnreadablePostError):
        return body_unreadable_error(exc)
    return exc


def body_unreadable_error(exc) -> DomainError:
    """The body stopped arriving (config/body_timeout.py) or the connection broke: a 408."""
    return DomainError(f"The request body was not received: {exc}", status=408)


def request_limit_error(exc) -> DomainError:
    """Django's own limits on a request, saying which: a body too large is a 413, too many
    fields or files a 400 (as Django answers them)."""
    if isinstance(exc, RequestDataTooBig):
        return DomainError(f"The request body is larger than the limit of "
                           f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes.", status=413)
    if isinstance(exc, TooManyFilesSent):
        return DomainError(f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files.")
    return DomainError(f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields.")


# ------------------------------------------------------------------ constraint violations
def integrity_error(exc: IntegrityError) -> DomainError:
    """Which rule the write broke: a check or a missing value is the client's (400), a taken
    unique value or a vanished reference a conflict with other data (409)."""
    kind, name = _violation(exc)
    name, fields = _rules().get(name, (name, []))
    if kind == _UNIQUE:
        message = f"This conflicts with an existing object (rule {name})." if name else \
            "This conflicts with an existing object."
        return Conflict(message, errors={field: [message] for field in fields})
    if kind == _CHECK:
        return DomainError(f"The values break the rule {name}." if name else "The values break a rule.")
    if kind == _NOT_NULL:
        return DomainError(f"A required value is missing ({name})." if name else "A required value is missing.")
    if kind == _FOREIGN_KEY:
        return Conflict("This refers to an object that no longer exists.")
    return Conflict("This conflicts with data written at the same time; retry.")


def _violation(exc: IntegrityError) -> tuple[str, str]:
    """(SQLSTATE, constraint or column name) of a violation, from psycopg's diagnostics or SQLite's message."""
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None)
    if state:
        diag = cause.diag
        return state, diag.constraint_name or diag.column_name or ""
    message = str(exc)
    for words, code in _SQLITE_WORDS.items():
        prefix = f"{words} constraint failed"
        if message.startswith(prefix):
            return code, message[len(prefix):].lstrip(": ").strip()
    return "", ""


@cache
def _rules() -> dict[str, tuple[str, list[str]]]:
    """The models' constraints by the name PostgreSQL reports and by the columns SQLite lists: (name, fields)."""
    rules = {}
    for model in apps.get_models():
        opts = model._meta
        for constraint in opts.constraints:
            name = constraint.name % {"class": model.__name__.lower(), "app_label": opts.app_label}
            fields = list(getattr(constraint, "fields", ()))
            rules[name] = (name, fields)
            if fields:
                rules[", ".join(f"{opts.db_table}.{opts.get_field(f).column}" for f in fields)] = (name, fields)
    return rules


# ------------------------------------------------------------------ bodies
def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {field: _flatten(messages) for field, messages in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def error_body(detail, errors=None) -> dict:
    body = {"detail": str(detail)}
    if errors:
        body["errors"] = errors
    return body


def _drf_body(exc) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        messages = _flatten(exc.detail)
        detail = messages[0] if len(messages) == 1 else "Some fields are not valid."
        return error_body(detail, _field_errors(exc.detail))
    if isinstance(exc.detail, (dict, list)):
        return error_body("; ".join(_flatten(exc.detail)), _field_errors(exc.detail))
    return error_body(exc.detail)


def json_error(status_code: int, detail: str) -> JsonResponse:
    return JsonResponse(error_body(detail), status=status_code)


# ------------------------------------------------------------------ Django's own error views
def api_400(request, exception=None):
    """Django's 400s raised outside a DRF view (a limit hit by a middleware) in JSON under /api/."""
    if not request.path.startswith("/api/"):
        from django.views.defaults import bad_request

        return bad_request(request, exception)
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        error = request_limit_error(exception)
        return JsonResponse(error.body(), status=error.status)
    return json_error(400, "Bad request.")


def api_404(request, exception=None):
    """JSON under /api/, Django's own page (with the site's 404.html) for the browser pages."""
    if not request.path.startswith(("/api/", "/v1/")):
        from django.views.defaults import page_not_found

        return page_not_found(request, exception)
    return json_error(404, "Not found.")


def api_500(request):
    return json_error(500, "Server error.")
