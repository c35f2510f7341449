"""Chunked request bodies on the endpoints where ODK clients send them.

The OpenRosa spec has phones send submissions with chunked transfer encoding, and pyodk
streams attachments that way. Under WSGI, Django reads CONTENT_LENGTH bytes, so such a
body would read as empty: these endpoints read the server's input to its end instead,
bounded by the size cap while reading. Every other endpoint still answers 411.
"""
import re
import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream

from api.odk.errors import OdkError

CHUNKED_PATHS = re.compile(
    r"^/v1/(?:key/[^/]+/)?projects/\d+/(?:submission|forms/[^/]+/submissions(?:/[^/]+/attachments/[^/]+)?)/?$")
READ_SIZE = 64 * 1024


def accepts_chunked(path: str) -> bool:
    return CHUNKED_PATHS.match(path) is not None


def too_large(limit: int) -> OdkError:
    return OdkError(f"The request is larger than the limit of {limit:,} bytes.", status=413, code=413.1)


def read_chunked_body(request, *, limit: int) -> None:
    """Give Django the whole chunked body (spooled to disk past the in-memory size), or 413 past `limit`."""
    if request.META.get("CONTENT_LENGTH") or "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    source = request.environ["wsgi.input"]
    spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    total = 0
    while chunk := source.read(READ_SIZE):
        total += len(chunk)
        if total > limit:
            spool.close()
            raise too_large(limit)
        spool.write(chunk)
    spool.seek(0)
    request.META["CONTENT_LENGTH"] = str(total)
    request._stream = LimitedStream(spool, total)
    request._odk_spool = spool  # closed with the request
    request._read_started = False
