"""Every error the API answers, pinned status and body: what clients and the acceptance suite rely on.

The bodies come from one exception handler (api/errors.py) fed by the domain errors of
surveys/errors.py and by Django's own exceptions; these tests hold them to the contract's
shape `{"detail": "...", "errors": {"field": [...]}}` and to the exact wording clients see.
"""
import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from api.errors import api_400, integrity_error
from surveys.models import ExportJob, LinkProposal, Photo, Visit
from tests.factories import SiteFactory, VisitFactory
from tests.imaging import samples

pytestmark = pytest.mark.django_db

CLIENT_ID_CONFLICT = {"detail": "This id is already used by another object."}


def upload(client, visit, content: bytes, **fields):
    data = {"file": SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg"), **fields}
    return client.post(f"/api/v1/visits/{visit.pk}/photos/", data, format="multipart")


def visit_body(site, **extra):
    return {"site": site.pk, "started_at": "2025-10-14T06:00:00Z", **extra}


def test_an_empty_upload_is_a_400_naming_the_file(reporter_client, reporter):
    response = upload(reporter_client, VisitFactory(reporter=reporter), b"")
    assert response.status_code == 400
    assert response.json() == {"detail": "The file is empty.", "errors": {"file": ["The file is empty."]}}


def test_a_file_that_is_no_image_is_a_415_naming_the_file(reporter_client, reporter):
    response = upload(reporter_client, VisitFactory(reporter=reporter), b"%PDF-1.7\n%%EOF")
    message = "Unsupported file type: only JPEG, PNG, WebP and HEIC images are accepted."
    assert response.status_code == 415
    assert response.json() == {"detail": message, "errors": {"file": [message]}}


def test_an_upload_over_the_cap_is_a_413(reporter_client, reporter, settings):
    settings.PHOTO_MAX_BYTES = 1000
    response = upload(reporter_client, VisitFactory(reporter=reporter), samples.jpeg_with_metadata() + b"\0" * 70_000)
    assert response.status_code == 413
    assert response.json() == {"detail": "The file is larger than the limit of 1,000 bytes."}


def test_a_visit_id_taken_with_other_content_is_a_409(reporter_client):
    site, visit_id = SiteFactory(), str(uuid.uuid4())
    assert reporter_client.post("/api/v1/visits/", visit_body(site, id=visit_id), format="json").status_code == 201
    response = reporter_client.post("/api/v1/visits/", visit_body(site, id=visit_id, notes="other"), format="json")
    assert (response.status_code, response.json()) == (409, CLIENT_ID_CONFLICT)


def test_a_photo_id_taken_by_someone_else_is_a_409(reporter_client, reporter, other_reporter_client, other_reporter):
    photo_id = str(uuid.uuid4())
    assert upload(reporter_client, VisitFactory(reporter=reporter), samples.png_bytes(), id=photo_id).status_code == 201
    response = upload(other_reporter_client, VisitFactory(reporter=other_reporter), samples.png_bytes(), id=photo_id)
    assert (response.status_code, response.json()) == (409, CLIENT_ID_CONFLICT)
    assert Photo.objects.count() == 1


def test_claim_text_with_figures_for_several_metrics_lists_the_candidates(editor_client):
    response = editor_client.post("/api/v1/claims/", {
        "site": SiteFactory().pk, "published_on": "2025-03-10",
        "text": "The plant will employ 2,500 people, with annual output of 1.2 million tons.",
    }, format="json")
    message = "The text has figures for several metrics (headcount, output_mass): give `metric` to pick one."
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors", "candidates"}
    assert (body["detail"], body["errors"]) == (message, {"text": [message]})
    assert [c["metric"] for c in body["candidates"]] == ["headcount", "output_mass"]


def test_claim_text_without_a_figure_is_a_400_on_the_text(editor_client):
    response = editor_client.post("/api/v1/claims/", {"site": SiteFactory().pk, "text": "Investors welcome."},
                                  format="json")
    message = "No figure or status could be read from the text: give the values."
    assert (response.status_code, response.json()) == (400, {"detail": message, "errors": {"text": [message]}})


def test_a_claims_file_that_is_not_utf8_is_a_400_on_the_file(editor_client):
    file = SimpleUploadedFile("claims.csv", "site,metric\n1,面积".encode("gb18030"))
    response = editor_client.post("/api/v1/claims/import/", {"file": file}, format="multipart")
    message = "The file is not UTF-8 text."
    assert (response.status_code, response.json()) == (400, {"detail": message, "errors": {"file": [message]}})


def test_a_claims_file_over_its_limit_is_a_413(editor_client, monkeypatch):
    monkeypatch.setattr("api.views.claims_import.MAX_BYTES", 10)
    file = SimpleUploadedFile("claims.csv", b"site,metric,low\n1,headcount,5\n")
    response = editor_client.post("/api/v1/claims/import/", {"file": file}, format="multipart")
    assert (response.status_code, response.json()) == (413, {"detail": "The file is larger than the limit of 10 bytes."})


def test_an_idempotency_key_reused_for_another_request_is_a_422(reporter_client):
    site = SiteFactory()
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-1"}
    assert reporter_client.post("/api/v1/visits/", visit_body(site), format="json", **headers).status_code == 201
    response = reporter_client.post("/api/v1/visits/", visit_body(site, notes="x"), format="json", **headers)
    assert (response.status_code, response.json()) == (
        422, {"detail": "This Idempotency-Key was used for a different request."})


def test_a_service_rule_broken_is_a_400_on_its_field(editor_client):
    site, other = SiteFactory(), SiteFactory()
    proposal = LinkProposal.objects.create(site=site, candidate_site=other, candidate_name=other.name, score=0.9,
                                           decision=LinkProposal.Decision.REJECTED)
    response = editor_client.post(f"/api/v1/link-proposals/{proposal.pk}/decide/", {"decision": "accepted"},
                                  format="json")
    message = "This proposal has already been decided."
    assert (response.status_code, response.json()) == (400, {"detail": message, "errors": {"decision": [message]}})


def test_approving_an_unprocessed_photo_is_a_400_on_approved(editor_client, reporter, reporter_client):
    photo_id = upload(reporter_client, VisitFactory(reporter=reporter), samples.png_bytes()).json()["id"]
    Photo.objects.filter(pk=photo_id).update(status="pending")
    response = editor_client.post(f"/api/v1/photos/{photo_id}/approve/", {"approved": True}, format="json")
    message = "Only a processed photo with a display image can be approved."
    assert (response.status_code, response.json()) == (400, {"detail": message, "errors": {"approved": [message]}})


def test_deleting_a_site_others_depend_on_is_a_409(editor_client):
    visit = VisitFactory()
    response = editor_client.delete(f"/api/v1/sites/{visit.site_id}/")
    assert (response.status_code, response.json()) == (409, {
        "detail": "Other records depend on this object (for example visits at a site); it cannot be deleted."})


def test_serializer_errors_name_their_fields(reporter_client):
    response = reporter_client.post("/api/v1/visits/", {"site": SiteFactory().pk}, format="json")
    assert (response.status_code, response.json()) == (
        400, {"detail": "This field is required.", "errors": {"started_at": ["This field is required."]}})
    several = reporter_client.post("/api/v1/visits/", {}, format="json")
    assert several.json() == {"detail": "Some fields are not valid.", "errors": {
        "site": ["This field is required."], "started_at": ["This field is required."]}}


def test_not_yours_is_a_404_and_not_allowed_a_403(reporter_client, other_reporter):
    visit = VisitFactory(reporter=other_reporter)
    assert reporter_client.get(f"/api/v1/visits/{visit.pk}/").json() == {"detail": "Not found."}
    response = reporter_client.post("/api/v1/organizations/", {"name": "X"}, format="json")
    assert (response.status_code, response.json()) == (
        403, {"detail": "You do not have permission to perform this action."})
    assert reporter_client.get("/api/v1/nowhere/").json() == {"detail": "Not found."}


def test_an_export_not_ready_is_a_409_and_an_expired_one_a_410(editor_client, editor):
    job = ExportJob.objects.create(requested_by=editor, format="visits.csv", filters={})
    response = editor_client.get(f"/api/v1/exports/jobs/{job.pk}/download/")
    assert (response.status_code, response.json()) == (409, {"detail": "The export is not ready (status: pending)."})
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.State.EXPIRED)
    response = editor_client.get(f"/api/v1/exports/jobs/{job.pk}/download/")
    assert (response.status_code, response.json()) == (410, {"detail": "This export has expired."})


def test_nested_serializer_errors_are_flattened_per_field(editor_client):
    response = editor_client.post("/api/v1/exports/jobs/", {"format": "visits.csv", "filters": {"since": "soon"}},
                                  format="json")
    assert (response.status_code, response.json()) == (400, {
        "detail": "Expected an ISO 8601 date or date-time.", "errors": {"filters": [
            "Expected an ISO 8601 date or date-time."]}})


def test_a_revocation_without_a_token_is_a_400(editor):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(editor)
    response = client.delete("/api/v1/auth/token/")
    message = "Only a token can revoke itself; send it in the Authorization header."
    assert (response.status_code, response.json()) == (400, {"detail": message, "errors": {"detail": [message]}})


def test_a_body_over_djangos_memory_limit_is_a_413_in_the_error_shape(reporter_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(visit_body(SiteFactory(), notes="x" * 2000))
    response = reporter_client.post("/api/v1/visits/", body, content_type="application/json")
    assert (response.status_code, response.json()) == (
        413, {"detail": "The request body is larger than the limit of 1,000 bytes."})


def test_too_many_form_fields_is_a_400_in_the_error_shape(reporter_client, reporter, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    response = upload(reporter_client, VisitFactory(reporter=reporter), samples.png_bytes(), caption="a", a="1", b="2")
    assert (response.status_code, response.json()) == (400, {"detail": "The request has more than 2 fields."})
    assert not Photo.objects.exists()


def test_djangos_own_400_outside_a_view_answers_json_under_the_api_only():
    request = RequestFactory().post("/api/v1/visits/")
    response = api_400(request, RequestDataTooBig("too big"))
    assert response.status_code == 413 and response["Content-Type"] == "application/json"
    assert json.loads(response.content)["detail"].startswith("The request body is larger than the limit")
    page = api_400(RequestFactory().get("/desk/"), RequestDataTooBig("too big"))
    assert page.status_code == 400 and "json" not in page["Content-Type"]


def _violation(create) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        create()
    return caught.value


def test_a_check_constraint_violation_is_a_400_naming_the_rule():
    start = dt.datetime(2025, 10, 14, tzinfo=dt.timezone.utc)
    site = SiteFactory()
    error = integrity_error(_violation(lambda: Visit.objects.create(
        site=site, reporter=VisitFactory().reporter, started_at=start, ended_at=start - dt.timedelta(hours=1))))
    assert (error.status, error.body()) == (400, {"detail": "The values break the rule visit_ends_after_start."})


def test_a_unique_constraint_violation_is_a_409_naming_the_rule_and_its_fields():
    site, other = SiteFactory(), SiteFactory()
    LinkProposal.objects.create(site=site, candidate_site=other, candidate_name=other.name, score=0.9)
    error = integrity_error(_violation(lambda: LinkProposal.objects.create(
        site=site, candidate_site=other, candidate_name=other.name, score=0.8)))
    message = "This conflicts with an existing object (rule linkproposal_unique_site_pair)."
    assert (error.status, error.body()) == (409, {"detail": message, "errors": {
        "site": [message], "candidate_site": [message]}})
