"""OpenRosa as Collect speaks it: form list, form and media download, HEAD and POST /submission."""
import hashlib
import re

import pytest

from surveys.models import OdkSubmission, Photo, Visit
from tests.odk.conftest import OPENROSA, basic, jpeg, visit_form

pytestmark = pytest.mark.django_db


def test_form_list_hash_is_the_md5_of_the_bytes_served(client, reporter_key, site):
    listing = client.get(f"/v1/key/{reporter_key}/projects/1/formList", **OPENROSA)
    assert listing.status_code == 200
    assert listing["X-OpenRosa-Version"] == "1.0"
    body = listing.content.decode()
    download = re.search(r"<downloadUrl>([^<]+)</downloadUrl>", body).group(1)
    listed_md5 = re.search(r"<hash>md5:([0-9a-f]{32})</hash>", body).group(1)
    assert download.endswith(f"/v1/key/{reporter_key}/projects/1/forms/site_visit.xml")
    form = client.get(download.split("testserver", 1)[1], **OPENROSA)
    assert form.status_code == 200
    assert hashlib.md5(form.content).hexdigest() == listed_md5
    assert b'jr://file-csv/sites.csv' in form.content and b"max-pixels" not in form.content


def test_submission_creates_the_visit_observations_and_photos(submit, reporter, site):
    form = visit_form(site)
    response = submit(form, {"gate.jpg": jpeg(1), "carpark.jpg": jpeg(2)})
    assert response.status_code == 201, response.content
    assert b"<OpenRosaResponse" in response.content
    visit = Visit.objects.get(pk=form.instance_id.removeprefix("uuid:"))
    assert (visit.reporter, visit.site, visit.activity_level) == (reporter, site, 3)
    assert visit.activity_signs == ["gate_open", "cars_parked"]
    assert visit.observations.filter(extracted=False, metric="headcount", low=600, high=700).count() == 1
    assert sorted(visit.photos.values_list("caption", flat=True)) == ["Staff car park", "The gate"]


def test_head_answers_204_with_the_accepted_length(client, reporter_key):
    response = client.head(f"/v1/key/{reporter_key}/projects/1/submission", **OPENROSA)
    assert response.status_code == 204
    assert int(response["X-OpenRosa-Accept-Content-Length"]) > 0


def test_basic_auth_and_the_challenge(client, reporter, version, site):
    unauthenticated = client.head("/v1/projects/1/submission", **OPENROSA)
    assert unauthenticated.status_code == 401
    assert unauthenticated["WWW-Authenticate"].startswith("Basic")
    assert client.head("/v1/projects/1/submission", **OPENROSA, **basic(reporter)).status_code == 204
    assert client.head("/v1/projects/1/submission", **OPENROSA, **basic(reporter, "wrong")).status_code == 401
