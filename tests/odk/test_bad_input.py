"""Bad input to /submission: a 4xx in OpenRosa XML every time, and nothing half-stored."""
import os

import pytest

from surveys.models import OdkSubmission, Photo, Site, Visit
from surveys.services.tokens import token_revoke, token_lookup
from tests.odk.client import instance_xml
from tests.odk.conftest import OPENROSA, jpeg, post_submission, visit_form

pytestmark = pytest.mark.django_db

XXE = b"""<?xml version="1.0"?><!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<data id="site_visit" version="v"><notes>&xxe;</notes><meta><instanceID>uuid:0c1a3b48-5b9e-4d53-a1c2-3f8e2b7d9a10</instanceID></meta></data>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<data id="site_visit"><notes>&lol4;</notes></data>"""


def nothing_stored(media_root) -> bool:
    files = [name for _, _, names in os.walk(media_root) for name in names]
    return (Visit.objects.count(), Photo.objects.count(), OdkSubmission.objects.count(), files) == (0, 0, 0, [])


def assert_openrosa_error(response, status: int, text: bytes = b""):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/xml")
    assert b'<message nature="error">' in response.content and text in response.content


@pytest.fixture
def url(reporter_key):
    return f"/v1/key/{reporter_key}/projects/1/submission"


@pytest.mark.parametrize("xml, text", [
    (b"<data id='site_visit'><notes>unclosed", b"not well-formed"),
    (XXE, b"DTD"),
    (LAUGHS, b"DTD"),
    (b"<data><meta><instanceID>uuid:0c1a3b48-5b9e-4d53-a1c2-3f8e2b7d9a10</instanceID></meta></data>", b"form ID"),
])
def test_unparseable_xml_is_400(client, url, version, xml, text, settings):
    assert_openrosa_error(post_submission(client, url, xml), 400, text)
    assert nothing_stored(settings.MEDIA_ROOT)


def test_unknown_form_and_unknown_version_are_404(client, url, site, version, settings):
    form = visit_form(site, photos=[])
    assert_openrosa_error(post_submission(client, url, instance_xml(form, version=version, form_id="other")), 404)
    assert_openrosa_error(post_submission(client, url, instance_xml(form, version="never-served")), 404,
                          b"form version")
    assert nothing_stored(settings.MEDIA_ROOT)


def test_missing_xml_submission_file_is_400(client, url, version):
    response = client.post(url, data={"notes": "no file"}, **OPENROSA)
    assert_openrosa_error(response, 400, b"xml_submission_file")
    raw = client.post(url, data=b"<data/>", content_type="text/xml", **OPENROSA)
    assert_openrosa_error(raw, 400, b"xml_submission_file")


def test_attachment_over_the_cap_is_413_and_nothing_is_stored(client, url, site, version, settings):
    settings.PHOTO_MAX_BYTES = 20_000
    form = visit_form(site)
    response = post_submission(client, url, instance_xml(form, version=version), {"gate.jpg": b"\xff\xd8\xff" + b"0" * 30_000})
    assert_openrosa_error(response, 413)
    assert nothing_stored(settings.MEDIA_ROOT)


def test_a_photo_that_is_no_image_leaves_nothing_of_the_submission(client, url, site, version, settings):
    form = visit_form(site)
    response = post_submission(client, url, instance_xml(form, version=version),
                               {"gate.jpg": jpeg(1), "carpark.jpg": b"GIF89a not a photo"})
    assert_openrosa_error(response, 415)
    assert nothing_stored(settings.MEDIA_ROOT)


@pytest.mark.parametrize("overrides, text", [
    ({"site": "999999"}, b"unknown site"),
    ({"started": None}, b"started_at"),
    ({"activity_level": 9}, b"activity_level"),
    ({"observations": [{"metric": "headcount", "low": 700, "high": 600, "method": "interview"}]}, b"high"),
    ({"site": "other", "new_site_name": "", "new_site_location": (30.1, 118.2)}, b"name"),
])
def test_invalid_answers_are_400_with_the_field(client, url, site, version, overrides, text, settings):
    form = visit_form(site, photos=[], **overrides)
    response = post_submission(client, url, instance_xml(form, version=version))
    assert_openrosa_error(response, 400, text)
    assert nothing_stored(settings.MEDIA_ROOT) and Site.objects.count() == 1


def test_wrong_or_revoked_token_and_missing_header(client, reporter_key, site, version, caplog):
    # (GET answers as HEAD does, with the body a test can read.)
    assert_openrosa_error(client.get("/v1/key/not-a-token/projects/1/submission", **OPENROSA), 403)
    assert_openrosa_error(client.get(f"/v1/key/{reporter_key}/projects/1/submission"), 400, b"X-OpenRosa-Version")
    assert_openrosa_error(client.get(f"/v1/key/{reporter_key}/projects/2/submission", **OPENROSA), 404)
    token_revoke(token=token_lookup(reporter_key))
    assert_openrosa_error(client.get(f"/v1/key/{reporter_key}/projects/1/formList", **OPENROSA), 403)
    assert "/v1/key/_/projects/2/submission" in caplog.text  # Django logged the refusals, never the key
    assert reporter_key not in caplog.text and "not-a-token" not in caplog.text


def test_a_new_site_becomes_an_unverified_proposal(client, url, reporter, site, version, django_capture_on_commit_callbacks):
    form = visit_form(site, photos=[], site="other", new_site_name="Xinhe Glass Phase 3",
                      new_site_location=(30.91, 118.76))
    with django_capture_on_commit_callbacks(execute=True):
        assert post_submission(client, url, instance_xml(form, version=version)).status_code == 201
    proposal = Site.objects.get(name="Xinhe Glass Phase 3")
    assert (proposal.verified, proposal.proposed_by, proposal.latitude) == (False, reporter, 30.91)
    assert Visit.objects.get().site == proposal
