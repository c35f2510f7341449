"""`Idempotency-Key` on every authenticated POST (see surveys.services.idempotency)."""
import hashlib
import json

from django.http import HttpResponse
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser

from api.errors import Conflict, Unprocessable
from surveys.services.idempotency import (
    KeyInFlight, KeyReused, Replay, idempotency_abandon, idempotency_begin, idempotency_finish,
)
from surveys.services.photos import file_sha256

HEADER = "HTTP_IDEMPOTENCY_KEY"


class _ReplayStored(Exception):
    def __init__(self, replay: Replay):
        self.replay = replay


def request_fingerprint(request) -> str:
    """What makes two requests "the same": method, path, query and parsed content.

    For uploads: the form fields plus each file's sha256, never the raw multipart
    bytes (a retry gets a new boundary).
    """
    data = request.data
    if hasattr(data, "lists"):
        fields = {key: sorted(values) for key, values in data.lists() if key not in request.FILES}
    else:
        fields = data
    files = {name: file_sha256(upload) for name, upload in request.FILES.items()}
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "query": sorted(request.query_params.lists()),
         "fields": fields, "files": files},
        sort_keys=True, default=str, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotentPostMixin:
    """The first answer to a POST under a key is stored and replayed to the same user."""

    idempotency_record = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.META.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.user.is_authenticated:
            return
        if len(key) > 255:
            raise ValidationError({"Idempotency-Key": ["At most 255 characters."]})
        try:
            outcome = idempotency_begin(user=request.user, key=key, fingerprint=request_fingerprint(request))
        except KeyReused:
            raise Unprocessable("This Idempotency-Key was used for a different request.") from None
        except KeyInFlight:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry later.") from None
        if isinstance(outcome, Replay):
            raise _ReplayStored(outcome)
        self.idempotency_record = outcome

    def handle_exception(self, exc):
        if isinstance(exc, _ReplayStored):
            response = HttpResponse(exc.replay.body, status=exc.replay.status_code, content_type=exc.replay.content_type)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            return super().handle_exception(exc)
        except Exception:
            # An unhandled error is no answer to replay: free the key for the retry.
            if self.idempotency_record is not None:
                idempotency_abandon(record=self.idempotency_record)
                self.idempotency_record = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self.idempotency_record = self.idempotency_record, None
        if record is not None:
            if response.status_code >= 500:
                idempotency_abandon(record=record)
            else:
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                idempotency_finish(record=record, status_code=response.status_code, body=response.content,
                                   content_type=response.get("Content-Type", JSONParser.media_type))
        return response
