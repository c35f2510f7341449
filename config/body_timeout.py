"""Request bodies read with a timeout, so a client that sends slowly cannot hold a thread for ever.

gunicorn reads a request's body from a blocking socket with no timeout: a client that
sends a byte now and then keeps the thread reading it for as long as it likes. This WSGI
wrapper gives every receive of the body REQUEST_BODY_READ_TIMEOUT_SECONDS to get
something, and the whole body REQUEST_BODY_TIMEOUT_SECONDS. A receive that runs out
raises `BodyReadTimedOut`, an UnreadablePostError as Django raises for a body that broke
off: the API answers it with a 408 in the contract's shape (api/errors.py), the ODK
endpoints with their own 408.

It works on the socket gunicorn's body reader receives from (`wsgi.input` is gunicorn's
Body; its reader's unreader holds the socket), swapped for the time the application
runs. Under another server, or a gunicorn whose reader looks different, nothing changes:
tests/config/test_slow_clients.py runs the real gunicorn with gunicorn.conf.py.
"""
import time

from django.http import UnreadablePostError


class BodyReadTimedOut(UnreadablePostError):
    """An OSError, as Django's own UnreadablePostError is."""


class _DeadlineSocket:
    """The client socket as the body reader sees it: every recv() bounded in time."""

    def __init__(self, sock, *, per_read: float, deadline: float):
        self._sock, self._per_read, self._deadline = sock, per_read, deadline

    def recv(self, size, *flags):
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise BodyReadTimedOut("The request body took too long to arrive.")
        previous = self._sock.gettimeout()
        self._sock.settimeout(min(self._per_read, remaining))
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            import sys, traceback; print("TIMEOUT", time.monotonic(), file=sys.stderr); traceback.print_stack(limit=12, file=sys.stderr)
            if time.monotonic() >= self._deadline:
                raise BodyReadTimedOut("The request body took too long to arrive.") from None
            raise BodyReadTimedOut(f"No part of the request body arrived for {self._per_read:g} seconds.") from None
        finally:
            self._sock.settimeout(previous)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _unreader(body):
    reader = getattr(body, "reader", None)
    unreader = getattr(reader, "unreader", None)
    return unreader if hasattr(unreader, "sock") else None


class BodyReadTimeout:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        unreader = _unreader(environ.get("wsgi.input")) if "gunicorn.socket" in environ else None
        if unreader is None:
            return self.application(environ, start_response)
        from django.conf import settings

        sock = unreader.sock
        unreader.sock = _DeadlineSocket(sock, per_read=settings.REQUEST_BODY_READ_TIMEOUT_SECONDS,
                                        deadline=time.monotonic() + settings.REQUEST_BODY_TIMEOUT_SECONDS)
        try:
            return self.application(environ, start_response)
        finally:
            unreader.sock = sock  # the connection's next request starts afresh
