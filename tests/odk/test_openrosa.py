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


def test_split_submission_completes_the_waiting_photo(submit, site):
    form = visit_form(site)
    assert submit(form, {"gate.jpg": jpeg(1)}, incomplete=True).status_code == 201
    visit = Visit.objects.get(pk=form.instance_id.removeprefix("uuid:"))
    assert visit.photos.count() == 1  # carpark.jpg is named in the XML but has not come yet
    attachments = OdkSubmission.objects.get(pk=visit.pk).attachments.all()
    assert [(a.name, a.photo_id is not None) for a in attachments] == [("carpark.jpg", False), ("gate.jpg", True)]
    assert submit(form, {"carpark.jpg": jpeg(2)}).status_code == 201
    assert visit.photos.count() == 2
    assert submit(form, {"carpark.jpg": jpeg(2), "gate.jpg": jpeg(1)}).status_code == 201  # Collect re-sends
    assert (Visit.objects.count(), Photo.objects.count()) == (1, 2)


def test_other_xml_under_the_same_instance_id_is_409(submit, site):
    form = visit_form(site)
    assert submit(form, {"gate.jpg": jpeg(1)}).status_code == 201
    form.notes = "Something else entirely"
    response = submit(form)
    assert response.status_code == 409
    assert b"different XML" in response.content and b"<OpenRosaResponse" in response.content
    assert Visit.objects.get().notes.startswith("Gate open")


def test_someone_elses_instance_id_is_409_and_reveals_nothing(client, submit, site, other_reporter, version):
    from surveys.services.tokens import token_create
    from tests.odk.client import instance_xml
    from tests.odk.conftest import post_submission

    form = visit_form(site, photos=[])
    assert submit(form).status_code == 201
    other_key = token_create(user=other_reporter)[1]
    response = post_submission(client, f"/v1/key/{other_key}/projects/1/submission", instance_xml(form, version=version))
    assert response.status_code == 409
    assert Visit.objects.get().reporter.username == "reporter-one"


def test_edit_by_deprecated_id_changes_the_visit_and_its_observations(submit, site):
    from tests.factories import ClaimFactory

    ClaimFactory(site=site, low=2500, high=2500)
    first = visit_form(site, photos=[], observations=[
        {"metric": "headcount", "low": 2400, "high": 2600, "method": "interview"},
        {"metric": "enterprises", "low": 3, "method": "counted"}], notes="")
    assert submit(first).status_code == 201
    visit = Visit.objects.get()
    edit = visit_form(site, photos=[], notes="", deprecated_id=first.instance_id, observations=[
        {"metric": "headcount", "low": 600, "high": 700, "method": "interview"}])
    assert submit(edit).status_code == 201
    visit.refresh_from_db()
    assert list(visit.observations.filter(extracted=False).values_list("low", "high")) == [(600.0, 700.0)]
    record = OdkSubmission.objects.get()
    assert (record.instance_id, record.edits, record.review_state) == (edit.instance_id, 1, "edited")
    from surveys.models import Discrepancy

    assert Discrepancy.objects.get(site=site).observed["low"] == 600  # re-matched on the edit
    stale = visit_form(site, photos=[], deprecated_id=first.instance_id, notes="stale copy")
    assert submit(stale).status_code == 409


def test_a_follow_up_visit_names_its_discrepancy(submit, site, editor, reporter):
    from surveys.services.review import discrepancy_review
    from tests.desk.conftest import make_discrepancy
    from tests.factories import ClaimFactory, ObservationFactory, VisitFactory

    earlier = ObservationFactory(visit=VisitFactory(reporter=reporter, site=site))  # the visit it rests on
    discrepancy = make_discrepancy(claim=ClaimFactory(site=site), observations=[earlier])
    discrepancy_review(discrepancy=discrepancy, reviewer=editor, status="needs_followup", note="Count the cars again")
    form = visit_form(site, photos=[], followup_of=discrepancy.pk)
    assert submit(form).status_code == 201
    assert Visit.objects.get(pk=form.instance_id.removeprefix("uuid:")).followup_of == discrepancy
    elsewhere = make_discrepancy(observations=[ObservationFactory(visit=VisitFactory(reporter=reporter))])  # about another site: refused as the JSON API refuses it
    assert submit(visit_form(site, photos=[], followup_of=elsewhere.pk)).status_code == 400
