import http.server
import json
import threading

import pytest

from surveys.models import WebhookEndpoint
from surveys.services.webhooks import webhook_verify
from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory, make_user
from surveys.services.matching import site_rematch

SECRET = "s3cret-shared-with-the-receiver"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block's on-commit work (tasks are eager in tests), as a worker would after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class Receiver:
    """A webhook receiver on loopback (a real HTTP server in a thread) that checks every signature."""

    def __init__(self, secret: str = SECRET):
        self.secret, self.requests, self.answers = secret, [], []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                verified = webhook_verify(receiver.secret, timestamp=self.headers["X-Signature-Timestamp"],
                                          signature=self.headers["X-Signature"], body=body)
                receiver.requests.append({"headers": dict(self.headers), "body": json.loads(body),
                                          "raw": body, "verified": verified})
                status = receiver.answers.pop(0) if receiver.answers else (204 if verified else 401)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/survey"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(db, receiver):
    return WebhookEndpoint.objects.create(name="Partner outlet", url=receiver.url, secret=SECRET,
                                          events=["visit.processed", "photo.ready", "discrepancy.opened",
                                                  "discrepancy.decided"])


def with_email(user, email=None):
    user.email = email or f"{user.username}@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def headcount_discrepancy(db):
    """The product doc's example: 600-700 seen at a plant claimed to employ 2,500."""
    site = SiteFactory(name="Zhongyuan Electronics Plant", aliases=["中原电子厂"])
    ClaimFactory(site=site)
    reporter = with_email(make_user("reporter", "li-reporter"))
    ObservationFactory(visit=VisitFactory(site=site, reporter=reporter))
    site_rematch(site_id=site.pk)
    return site.discrepancies.get()
