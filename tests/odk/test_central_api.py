"""ODK Central's REST subset and OData, as pyodk and OData clients call them (the real pyodk runs in the integration tier)."""
import json

import pytest
from django.test import Client

from surveys.models import AuditEvent, OdkSubmission
from surveys.services.tokens import token_create
from tests.odk.client import instance_xml
from tests.odk.conftest import jpeg, visit_form

pytestmark = pytest.mark.django_db
FORM = "/v1/projects/1/forms/site_visit"


def bearer(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")


@pytest.fixture
def submitted(submit, site):
    form = visit_form(site)
    assert submit(form, {"gate.jpg": jpeg(1)}).status_code == 201
    return form


def test_session_login_takes_the_username_in_email(client, reporter):
    response = client.post("/v1/sessions", json.dumps({"email": reporter.username, "password": "correct-horse-9"}),
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["expiresAt"]
    me = client.get("/v1/users/current", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.json()["displayName"] == reporter.username
    wrong = client.post("/v1/sessions", json.dumps({"email": reporter.username, "password": "nope"}),
                        content_type="application/json")
    assert wrong.status_code == 401 and wrong.json()["code"] == 401.2
    assert client.get("/v1/users/current").status_code == 401
    assert client.delete(f"/v1/sessions/{token}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get("/v1/users/current", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_projects_and_forms(reporter, site):
    api = bearer(reporter)
    assert [project["id"] for project in api.get("/v1/projects").json()] == [1]
    assert api.get("/v1/projects/2").status_code == 404
    [form] = api.get("/v1/projects/1/forms").json()
    xml = api.get(f"{FORM}.xml").content
    import hashlib

    assert form["hash"] == hashlib.md5(xml).hexdigest() and form["xmlFormId"] == "site_visit"
    assert api.get(f"{FORM}/attachments/sites.csv").content.decode().startswith("name,label,verified")


def test_sites_csv_hash_changes_when_a_site_is_added_renamed_or_verified(client, reporter_key, site):
    import re

    from tests.factories import SiteFactory

    def listed():
        manifest = client.get(f"/v1/key/{reporter_key}/projects/1/forms/site_visit/manifest",
                              HTTP_X_OPENROSA_VERSION="1.0").content.decode()
        listing = client.get(f"/v1/key/{reporter_key}/projects/1/formList", HTTP_X_OPENROSA_VERSION="1.0")
        return (re.search(r"md5:(\w+)", manifest).group(1),
                re.search(r"<version>(\w+)</version>", listing.content.decode()).group(1))

    seen = [listed()]
    proposal = SiteFactory(name="恒达光伏玻璃二期", verified=False)
    seen.append(listed())
    csv_text = client.get(f"/v1/key/{reporter_key}/projects/1/forms/site_visit/attachments/sites.csv").content.decode()
    assert "heng da guang fu bo li er qi" in csv_text and "unverified" in csv_text  # pinyin, and marked
    proposal.name = "Hengda Phase 2"
    proposal.save()
    seen.append(listed())
    proposal.verified = True
    proposal.save()
    seen.append(listed())
    assert len({media for media, _ in seen}) == 4 and len({version for _, version in seen}) == 4


def test_submission_list_get_xml_and_attachments(submitted, reporter, other_reporter, exporter):
    api = bearer(reporter)
    instance_id = submitted.instance_id
    [row] = api.get(f"{FORM}/submissions").json()
    assert row["instanceId"] == instance_id and row["submitterId"] == reporter.pk
    assert api.get(f"{FORM}/submissions/{instance_id}").json()["instanceId"] == instance_id
    assert api.get(f"{FORM}/submissions/{instance_id}.xml").content.startswith(b"<?xml")
    assert api.get(f"{FORM}/submissions/{instance_id}/attachments").json() == [
        {"name": "carpark.jpg", "exists": False}, {"name": "gate.jpg", "exists": True}]
    original = api.get(f"{FORM}/submissions/{instance_id}/attachments/gate.jpg")
    import hashlib

    stored = OdkSubmission.objects.get().attachments.get(name="gate.jpg").photo
    assert original.status_code == 200
    assert hashlib.sha256(b"".join(original.streaming_content)).hexdigest() == stored.sha256
    assert AuditEvent.objects.filter(action__contains="original").exists()
    # Someone else's submission does not exist for a reporter; an exporter sees it under the policy.
    assert bearer(other_reporter).get(f"{FORM}/submissions/{instance_id}").status_code == 404
    assert bearer(other_reporter).get(f"{FORM}/submissions").json() == []
    exported = bearer(exporter)
    assert exported.get(f"{FORM}/submissions").json()[0]["submitterId"] != reporter.pk
    assert exported.get(f"{FORM}/submissions/{instance_id}.xml").status_code == 403
    assert exported.get(f"{FORM}/submissions/{instance_id}/attachments/gate.jpg").status_code == 404


def test_attachment_upload_create_from_xml_review_and_comments(reporter, editor, exporter, site, version,
                                                               django_capture_on_commit_callbacks):
    api = bearer(reporter)
    form = visit_form(site, photos=[("gate.jpg", "The gate")])
    xml = instance_xml(form, version=version)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(f"{FORM}/submissions", xml, content_type="application/xml")
    assert created.status_code == 200, created.content
    assert api.post(f"{FORM}/submissions", xml, content_type="application/xml").status_code == 409
    url = f"{FORM}/submissions/{form.instance_id}"
    upload = api.post(f"{url}/attachments/gate.jpg", jpeg(5), content_type="image/jpeg")
    assert upload.json() == {"success": True}
    assert api.post(f"{url}/attachments/gate.jpg", jpeg(6), content_type="image/jpeg").status_code == 409
    assert api.post(f"{url}/attachments/other.jpg", jpeg(6), content_type="image/jpeg").status_code == 404
    assert api.patch(url, json.dumps({"reviewState": "approved"}), content_type="application/json").status_code == 403
    reviewed = bearer(editor).patch(url, json.dumps({"reviewState": "hasIssues"}), content_type="application/json")
    assert reviewed.json()["reviewState"] == "hasIssues"
    comment = api.post(f"{url}/comments", json.dumps({"body": "Gate photo retaken"}), content_type="application/json")
    assert comment.json()["body"] == "Gate photo retaken"
    assert [c["body"] for c in bearer(editor).get(f"{url}/comments").json()] == ["Gate photo retaken"]
    assert bearer(exporter).post(f"{FORM}/submissions", xml, content_type="application/xml").status_code == 403
    assert OdkSubmission.objects.get().review_state == "hasIssues"


def test_odata_service_metadata_and_tables(submitted, reporter, exporter, other_reporter):
    api = bearer(reporter)
    service = api.get(f"{FORM}.svc").json()
    assert [table["name"] for table in service["value"]] == ["Submissions", "Submissions.observation",
                                                             "Submissions.photo"]
    assert b"<edmx:Edmx" in api.get(f"{FORM}.svc/$metadata").content
    table = api.get(f"{FORM}.svc/Submissions", {"$count": "true", "$top": "1"}).json()
    assert table["@odata.count"] == 1
    [row] = table["value"]
    assert row["__id"] == submitted.instance_id and row["location"]["coordinates"] == [118.7521, 30.9012]
    assert row["__system"]["attachmentsExpected"] == 2 and row["__system"]["attachmentsPresent"] == 1
    observations = api.get(f"{FORM}.svc/Submissions.observation").json()["value"]
    assert {o["__Submissions-id"] for o in observations} == {submitted.instance_id}
    assert any(o["metric"] == "headcount" and o["low"] == 600 for o in observations)
    selected = api.get(f"{FORM}.svc/Submissions", {"$select": "__id,site_name"}).json()["value"]
    assert selected == [{"__id": submitted.instance_id, "site_name": "Hengda PV Glass, Phase 1"}]
    later = api.get(f"{FORM}.svc/Submissions", {"$filter": "__system/submissionDate gt 2999-01-01T00:00:00Z"})
    assert later.json()["value"] == []
    earlier = api.get(f"{FORM}.svc/Submissions",
                      {"$filter": "__system/submissionDate ge 2000-01-01T00:00:00Z and __system/reviewState eq null"})
    assert len(earlier.json()["value"]) == 1
    assert api.get(f"{FORM}.svc/Submissions", {"$filter": "notes eq 'x'"}).status_code == 400
    assert api.get(f"{FORM}.svc/Submissions", {"$top": "-1"}).status_code == 400
    assert api.get(f"{FORM}.svc/Nothing").status_code == 404
    exported = bearer(exporter).get(f"{FORM}.svc/Submissions").json()["value"][0]
    assert exported["location"] is None and exported["__system"]["submitterName"].startswith("reporter-")
    assert bearer(other_reporter).get(f"{FORM}.svc/Submissions").json()["value"] == []


def test_odata_paging_and_expand(submit, site, reporter):
    for _ in range(3):
        assert submit(visit_form(site, photos=[])).status_code == 201
    api = bearer(reporter)
    first = api.get(f"{FORM}.svc/Submissions", {"$top": "2"}).json()
    assert len(first["value"]) == 2 and "$skip=2" in first["@odata.nextLink"]
    rest = api.get(f"{FORM}.svc/Submissions", {"$top": "2", "$skip": "2"}).json()
    assert len(rest["value"]) == 1 and "@odata.nextLink" not in rest
    expanded = api.get(f"{FORM}.svc/Submissions", {"$expand": "*"}).json()["value"][0]
    assert expanded["observation"][0]["metric"]


def test_odata_query_count_is_fixed(submit, site, reporter, django_assert_max_num_queries):
    for _ in range(4):
        submit(visit_form(site, photos=[]))
    api = bearer(reporter)
    with django_assert_max_num_queries(12):
        assert len(api.get(f"{FORM}.svc/Submissions", {"$expand": "*"}).json()["value"]) == 4


def test_an_attachment_larger_than_the_form_data_limit_uploads_whole(reporter, site, version, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000  # the photo is bigger: it is read as a stream, not as form data
    api = bearer(reporter)
    form = visit_form(site, photos=[("gate.jpg", "")])
    assert api.post(f"{FORM}/submissions", instance_xml(form, version=version),
                    content_type="application/xml").status_code == 200
    photo = jpeg(7)
    assert len(photo) > 10_000
    response = api.post(f"{FORM}/submissions/{form.instance_id}/attachments/gate.jpg", photo, content_type="image/jpeg")
    assert response.status_code == 200, response.content
    settings.PHOTO_MAX_BYTES = 5_000
    other = visit_form(site, photos=[("gate.jpg", "")])
    api.post(f"{FORM}/submissions", instance_xml(other, version=version), content_type="application/xml")
    too_big = api.post(f"{FORM}/submissions/{other.instance_id}/attachments/gate.jpg", photo, content_type="image/jpeg")
    assert too_big.status_code == 413 and too_big.json()["code"] == 413.1
