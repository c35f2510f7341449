"""The decorator every /v1/ view goes through: methods, project, authentication, and errors in the right format."""
from functools import wraps

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from api.errors import body_unreadable_error, integrity_error
from api.odk.auth import odk_user
from api.odk.errors import OdkError, central_error, forbidden, not_found, openrosa_error
from surveys.errors import DomainError
from surveys.odk.openrosa import OPENROSA_VERSION
from surveys.roles import role_of
from surveys.vocab import Role

PROJECT_ID = 1  # one project: the newsroom
OPENROSA = "openrosa"
CENTRAL = "central"
SUBMITTERS = {Role.REPORTER, Role.EDITOR, Role.ADMIN}


def accept_content_length() -> int:
    """What a phone may put in one POST (X-OpenRosa-Accept-Content-Length): Collect splits bigger ones."""
    from django.conf import settings

    return settings.PHOTO_MAX_BYTES


def openrosa_headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["X-OpenRosa-Accept-Content-Length"] = str(accept_content_length())  # the server adds Date
    response["Content-Language"] = "en"
    return response


def _as_odk_error(error: Exception) -> OdkError:
    if isinstance(error, OdkError):
        return error
    if isinstance(error, IntegrityError):  # a race with another write: the shape the JSON API gives it
        error = integrity_error(error)
    if isinstance(error, DomainError):  # SubmissionRefused carries Central's code, the others their status
        return OdkError(error.detail, status=error.status, code=getattr(error, "code", None),
                        retry_after=getattr(error, "retry_after", None))
    if isinstance(error, ValidationError):
        return OdkError(f"The submission is not valid: {'; '.join(error.messages)}", status=400, code=400.8)
    if isinstance(error, UnreadablePostError):  # the body stopped arriving (config/body_timeout.py)
        error = body_unreadable_error(error)
        return OdkError(error.detail, status=error.status, code=408.1)
    if isinstance(error, RequestDataTooBig):
        return OdkError("The request's form fields are too large.", status=413, code=413.1)
    if isinstance(error, Http404):
        return not_found()
    return OdkError("Multipart form content failed to parse.", status=400, code=400.39)


HANDLED = (OdkError, DomainError, ValidationError, IntegrityError, RequestDataTooBig, Http404, MultiPartParserError,
           TooManyFieldsSent, SuspiciousOperation, UnreadablePostError)


def odk_endpoint(kind: str, methods: tuple[str, ...], *, roles=None, authenticated: bool = True):
    """Wraps a view taking (request, **kwargs) with request.user set; renders every refusal as its client expects."""
    render = openrosa_error if kind == OPENROSA else central_error

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def endpoint(request, project_id: int | None = None, **kwargs):
            try:
                if request.method not in methods:
                    raise OdkError(f"{request.method} is not allowed here.", status=405, code=405.1)
                if kind == OPENROSA and request.META.get("HTTP_X_OPENROSA_VERSION") != OPENROSA_VERSION:
                    raise OdkError("Missing or unexpected X-OpenRosa-Version header: send 1.0.", status=400, code=400.6)
                if project_id is not None and project_id != PROJECT_ID:
                    raise not_found()
                if authenticated:
                    request.user = odk_user(request, challenge=kind == OPENROSA)
                    if roles is not None and role_of(request.user) not in roles:
                        raise forbidden()
                response = view(request, **kwargs)
            except HANDLED as error:
                response = render(_as_odk_error(error))
            return openrosa_headers(response) if kind == OPENROSA else response

        endpoint.odk_kind = kind
        return endpoint

    return decorate
