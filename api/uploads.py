"""Upload limits Django does not give: 413 past the size cap, 411 for bodies without a length."""
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from api.errors import json_error
from surveys.errors import PayloadTooLarge

# Room for the multipart framing and form fields around the file.
MULTIPART_OVERHEAD = 64 * 1024


class SizeCapUploadHandler(FileUploadHandler):
    """Stops reading a file as soon as it passes PHOTO_MAX_BYTES (Django's own limits answer 400)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.PHOTO_MAX_BYTES:
            raise PayloadTooLarge(limit=settings.PHOTO_MAX_BYTES)
        return raw_data

    def file_complete(self, file_size):
        return None


def content_length_over_cap(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.PHOTO_MAX_BYTES + MULTIPART_OVERHEAD


class RequireContentLengthMiddleware:
    """A chunked body without Content-Length is refused with 411.

    Django under a WSGI server reads exactly CONTENT_LENGTH bytes, so such a body
    would otherwise arrive empty and could be stored empty.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH") and request.method in ("POST", "PUT", "PATCH"):
            return json_error(411, "Send the body with a Content-Length header (chunked uploads are not accepted).")
        return self.get_response(request)
