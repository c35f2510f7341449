"""Errors of the /v1/ endpoints: OpenRosa XML for phones, ODK Central's JSON for its REST API and OData."""
from django.http import HttpResponse, JsonResponse

from surveys.odk.openrosa import OPENROSA_VERSION, response_message

BASIC_CHALLENGE = 'Basic realm="Field survey", charset="UTF-8"'


class OdkError(Exception):
    """A refusal with its HTTP status and ODK Central's problem code (404.1, 409.1...)."""

    def __init__(self, message: str, *, status: int, code: float | None = None, challenge: bool = False,
                 retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code if code is not None else float(f"{status}.1")
        self.challenge = challenge
        self.retry_after = retry_after


def _headers(response: HttpResponse, error: OdkError) -> HttpResponse:
    if error.challenge:
        response["WWW-Authenticate"] = BASIC_CHALLENGE
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def not_found() -> OdkError:
    return OdkError("Could not find the resource you were looking for.", status=404, code=404.1)


def forbidden() -> OdkError:
    return OdkError("The authentication you provided does not have rights to perform that action.", status=403,
                    code=403.1)


def openrosa_error(error: OdkError) -> HttpResponse:
    response = HttpResponse(response_message(error.message, nature="error"), status=error.status,
                            content_type="text/xml; charset=utf-8")
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    return _headers(response, error)


def central_error(error: OdkError) -> JsonResponse:
    # Central's keys (message, code) beside this project's (detail), so both kinds of client read it.
    response = JsonResponse({"message": error.message, "code": error.code, "detail": error.message},
                            status=error.status)
    return _headers(response, error)
