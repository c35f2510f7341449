"""`Idempotency-Key` on every authenticated POST (see surveys.services.idempotency)."""
import hashlib
import json

from django.db import transaction
from django.http import HttpResponse
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser

from surveys.services.idempotency import Replay, idempotency_begin, idempotency_finish
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
    """The first answer to a POST under a key is stored and replayed to the same user.

    The claim on the key, the work and the stored answer commit in one transaction:
    one commit per request, and a request that dies leaves its key free again. A
    concurrent request with the same key waits briefly on the claim, then gets the
    stored answer or a 409 while the first is still running.
    """

    idempotency_record = None

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and request.META.get(HEADER, "").strip():
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.META.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.user.is_authenticated:
            return
        if len(key) > 255:
            raise ValidationError({"Idempotency-Key": ["At most 255 characters."]})
        outcome = idempotency_begin(user=request.user, key=key, fingerprint=request_fingerprint(request))
        if isinstance(outcome, Replay):
            raise _ReplayStored(outcome)
        self.idempotency_record = outcome

    def handle_exception(self, exc):
        if isinstance(exc, _ReplayStored):
            response = HttpResponse(exc.replay.body, status=exc.replay.status_code, content_type=exc.replay.content_type)
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self.idempotency_record = self.idempotency_record, None
        if record is not None:
            # A 5xx, or a write that broke the transaction (a constraint violation), leaves
            # no answer to replay: the claim goes with the rest and the key stays free.
            if response.status_code >= 500 or transaction.get_rollback():
                transaction.set_rollback(True)
            else:
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                idempotency_finish(record=record, status_code=response.status_code, body=response.content,
                                   content_type=response.get("Content-Type", JSONParser.media_type))
        return response
