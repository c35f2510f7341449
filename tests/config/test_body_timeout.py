"""A body that stops arriving (config/body_timeout.py) answers 408 in each path's own shape."""
import pytest
from django.test import Client

from config.body_timeout import BodyReadTimedOut

pytestmark = pytest.mark.django_db


class StalledInput:
    def read(self, *args):
        raise BodyReadTimedOut("No part of the request body arrived for 30 seconds.")

    readline = read


def _stalled(path: str, content_type: str, **extra):
    return Client().post(path, content_type=content_type, **{"wsgi.input": StalledInput(), "CONTENT_LENGTH": "500",
                                                                 **extra})


def test_the_api_answers_408_in_the_contracts_shape():
    response = _stalled("/api/v1/auth/token/", "application/json")
    assert response.status_code == 408
    assert "arrived for 30 seconds" in response.json()["detail"]


def test_an_upload_answers_408(reporter):
    from tests.conftest import client_for
    from tests.factories import VisitFactory

    visit = VisitFactory(reporter=reporter)
    client = client_for(reporter)
    response = client.post(f"/api/v1/visits/{visit.pk}/photos/", content_type="multipart/form-data; boundary=x",
                           **{"wsgi.input": StalledInput(), "CONTENT_LENGTH": "500"})
    assert response.status_code == 408 and "detail" in response.json()


def test_odk_answers_408_as_openrosa_xml(reporter):
    import base64

    basic = "Basic " + base64.b64encode(b"reporter-one:correct-horse-9").decode()
    response = _stalled("/v1/projects/1/submission", "multipart/form-data; boundary=x", HTTP_AUTHORIZATION=basic,
                        HTTP_X_OPENROSA_VERSION="1.0")
    assert response.status_code == 408
    assert response["Content-Type"].startswith("text/xml") and b"<OpenRosaResponse" in response.content


def test_odk_central_answers_408_as_json():
    response = _stalled("/v1/sessions", "application/json")
    assert response.status_code == 408 and response.json()["code"] == 408.1
