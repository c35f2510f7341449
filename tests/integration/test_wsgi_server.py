"""What a real WSGI server does with bodies Django cannot size: refused, never stored empty."""
import re
import socket

import pytest

from surveys.models import Photo
from surveys.services.tokens import token_create
from tests.factories import VisitFactory, make_user
from tests.imaging import samples

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def raw_request(port: int, head: str, body: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + body)
        response = b""
        while b"\r\n\r\n" not in response:
            response += sock.recv(65536)
        headers, _, content = response.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: (\d+)", headers)
        while length and len(content) < int(length.group(1)):  # the body may come in a later packet
            content += sock.recv(65536)
        while not length and (chunk := sock.recv(65536)):  # no length: the body ends when the server closes
            content += chunk
        return (headers + b"\r\n\r\n" + content).decode(errors="replace")


def chunked(data: bytes, size: int = 4096) -> bytes:
    parts = [f"{len(data[i:i + size]):x}\r\n".encode() + data[i:i + size] + b"\r\n" for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def upload_request(*, chunked_body: bool) -> tuple[str, bytes]:
    """A photo upload by a new reporter, framed with Content-Length or chunked without it."""
    reporter = make_user("reporter")
    _, token = token_create(user=reporter)
    visit = VisitFactory(reporter=reporter)
    boundary = "rawboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + samples.jpeg_with_metadata(width=300, height=200) + \
        f"\r\n--{boundary}--\r\n".encode()
    framing = "Transfer-Encoding: chunked" if chunked_body else f"Content-Length: {len(body)}"
    head = (f"POST /api/v1/visits/{visit.pk}/photos/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Token {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"{framing}\r\nConnection: close\r\n\r\n")
    return head, chunked(body) if chunked_body else body


def test_chunked_upload_without_length_is_411_and_stores_nothing(gunicorn):
    response = raw_request(gunicorn, *upload_request(chunked_body=True))
    assert response.startswith("HTTP/1.1 411"), response[:200]
    assert '"detail"' in response
    assert Photo.objects.count() == 0


def test_the_same_upload_with_a_length_is_stored(gunicorn):
    response = raw_request(gunicorn, *upload_request(chunked_body=False))
    assert response.startswith("HTTP/1.1 201"), response[:300]
    assert Photo.objects.count() == 1
