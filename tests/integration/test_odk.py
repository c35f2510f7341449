"""ODK clients against a real gunicorn on PostgreSQL: pyodk, a Collect-like OpenRosa client, chunked bodies, races."""
import datetime as dt
import json
import re
import threading
import urllib.request
import uuid

import pytest

from surveys.models import Discrepancy, OdkSubmission, Photo, Visit
from surveys.services.submissions import form_version_remember
from surveys.services.tokens import token_create
from surveys.selectors.odk import current_form
from tests.factories import ClaimFactory, SiteFactory, make_user
from tests.imaging import samples
from tests.integration.conftest import wait_for
from tests.odk.client import OpenRosaClient, VisitForm, collect_batches, instance_xml, multipart

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CST = dt.timezone(dt.timedelta(hours=8))
PASSWORD = "correct-horse-9"
NOTES = "Gate open, 40-50 cars parked. A worker at the canteen said about 600-700 people work on the day shift."


def served_version() -> str:
    form = current_form()
    form_version_remember(version=form.version, md5=form.md5, media_md5=form.media_md5)
    return form.version


def hengda(name: str = "Hengda PV Glass, Phase 1"):
    site = SiteFactory(name=name, latitude=samples.DEFAULT_LAT, longitude=samples.DEFAULT_LON, radius_m=600)
    ClaimFactory(site=site, low=2500, high=2500, text="The plant will employ 2,500 people.")
    return site


def the_form(site, photos) -> VisitForm:
    return VisitForm(site=str(site.pk), started=dt.datetime(2025, 10, 14, 14, 30, tzinfo=CST),
                     ended=dt.datetime(2025, 10, 14, 15, 20, tzinfo=CST),
                     location=(samples.DEFAULT_LAT, samples.DEFAULT_LON, 10.0, 4.0), notes=NOTES,
                     observed_status="operating", activity_level=3, activity_signs=["gate_open", "cars_parked"],
                     observations=[{"metric": "enterprises", "low": 30, "high": 60, "method": "interview",
                                    "source_role": "guard"}],
                     photos=photos)


def test_pyodk_logs_in_submits_reads_uploads_comments_and_reads_the_table(gunicorn, tmp_path, settings):
    import pandas
    from pyodk._endpoints.submission_attachments import SubmissionAttachmentService
    from pyodk.client import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # as the server checks it
    reporter = make_user("reporter", "pyodk-reporter", password=PASSWORD)
    site = hengda()
    config = tmp_path / "pyodk_config.toml"
    config.write_text(f'[central]\nbase_url = "http://127.0.0.1:{gunicorn}"\nusername = "{reporter.username}"\n'
                      f'password = "{PASSWORD}"\ndefault_project_id = 1\n')
    photo = tmp_path / "gate.jpg"
    photo.write_bytes(samples.jpeg_with_metadata(width=400, height=300, seed=3))

    with Client(config_path=config, cache_path=tmp_path / "pyodk_cache.toml") as client:
        assert [project.id for project in client.projects.list()] == [1]
        [form] = client.forms.list()
        assert form.xmlFormId == "site_visit"
        xml = instance_xml(the_form(site, [("gate.jpg", "The gate")]), version=form.version).decode()
        created = client.submissions.create(xml=xml, form_id="site_visit")
        assert created.attachments[0].name == "gate.jpg" and created.attachments[0].exists is False
        assert client.submissions.get(created.instanceId, form_id="site_visit").submitterId == reporter.pk
        assert client.forms.get_xml("site_visit").startswith("<?xml")
        attachments = SubmissionAttachmentService(session=client.session, default_project_id=1,
                                                  default_form_id="site_visit")
        assert attachments.upload(file_path=photo, instance_id=created.instanceId)  # chunked, as pyodk streams files
        assert [(a.name, a.exists) for a in attachments.list(instance_id=created.instanceId)] == [("gate.jpg", True)]
        client.submissions.add_comment(created.instanceId, "Count the cars again on Monday.", form_id="site_visit")
        assert [c.body for c in client.submissions.list_comments(created.instanceId, form_id="site_visit")] == [
            "Count the cars again on Monday."]
        table = client.submissions.get_table(form_id="site_visit", expand="*", count=True)

    assert table["@odata.count"] == 1
    flat = pandas.json_normalize(table["value"], record_path="observation", meta=["__id", "site_name"],
                                 record_prefix="observation.")
    assert set(flat["observation.metric"]) >= {"enterprises", "headcount"}  # typed in, and read from the notes
    assert set(flat["site_name"]) == {site.name}
    visit = Visit.objects.get(pk=created.instanceId.removeprefix("uuid:"))
    assert visit.photos.get().caption == "The gate"


def _snapshot(visit: Visit) -> dict:
    """What a client sees of a visit, its observations, photos and discrepancies, without ids and times."""
    observations = sorted((o.metric, o.low, o.high, o.unit, o.qualifier, o.status_value, o.method, o.source_role,
                           o.quote, o.confidence, o.extracted) for o in visit.observations.all())
    photos = sorted((p.status, p.caption, tuple(p.flags), p.width, p.height, p.taken_at, p.latitude, p.longitude)
                    for p in visit.photos.all())
    discrepancies = sorted((d.metric, d.kind, json.dumps(d.claimed, sort_keys=True), json.dumps(d.observed, sort_keys=True),
                            d.ratio, d.severity, d.explanation, d.explanation_zh, d.observations.count())
                           for d in Discrepancy.objects.filter(site=visit.site))
    return {"visit": (visit.started_at, visit.ended_at, visit.latitude, visit.longitude, visit.notes,
                      visit.observed_status, visit.activity_level, visit.activity_signs, visit.processing),
            "observations": observations, "photos": photos, "discrepancies": discrepancies}


def _json_api_visit(port: int, key: str, site, photos: dict[str, tuple[bytes, str]]) -> str:
    def call(path, body, content_type="application/json"):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST", headers={
            "Authorization": f"Token {key}", "Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    form = the_form(site, [])
    visit = call("/api/v1/visits/", json.dumps({
        "site": site.pk, "started_at": form.started.isoformat(), "ended_at": form.ended.isoformat(),
        "latitude": form.location[0], "longitude": form.location[1], "notes": form.notes,
        "observed_status": form.observed_status, "activity_level": form.activity_level,
        "activity_signs": form.activity_signs}).encode())
    for observation in form.observations:
        call("/api/v1/observations/", json.dumps({**observation, "visit": visit["id"]}).encode())
    for name, (data, caption) in photos.items():
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\n{caption}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        call(f"/api/v1/visits/{visit['id']}/photos/", body, f"multipart/form-data; boundary={boundary}")
    return visit["id"]


def shot(seed: int) -> bytes:
    """A phone photo taken at the site ten minutes into the visit."""
    return samples.jpeg_with_metadata(width=640, height=480, seed=seed, taken_at=dt.datetime(2025, 10, 14, 14, 40))


def _processed(visit_id) -> Visit:
    def done():
        visit = Visit.objects.get(pk=visit_id)
        ready = visit.processing == "done" and not visit.photos.filter(status="pending").exists()
        return visit if ready else None

    return wait_for(done, timeout=120)


def test_collect_like_client_matches_the_json_api(gunicorn, settings):
    reporter = make_user("reporter", "collect-reporter", password=PASSWORD)
    _, key = token_create(user=reporter, device="phone")
    odk_site, json_site = hengda(), hengda()  # twins: the same claim at the same place
    version = served_version()
    photos = {"gate.jpg": (shot(11), "The gate"), "carpark.jpg": (shot(12), "Staff car park")}
    form = the_form(odk_site, [(name, caption) for name, (_, caption) in photos.items()])
    xml = instance_xml(form, version=version)
    phone = OpenRosaClient("127.0.0.1", gunicorn, f"/v1/key/{key}/projects/1")
    status, headers, _ = phone.head_submission()
    assert status == 204 and headers["X-OpenRosa-Version"] == "1.0"
    # With room for one photo per POST, Collect splits the submission: *isIncomplete* on all but the last.
    accept = len(xml) + len(photos["gate.jpg"][0]) + 100
    batches = collect_batches({name: data for name, (data, _) in photos.items()}, xml, accept)
    assert [list(batch) for batch in batches] == [["gate.jpg"], ["carpark.jpg"]]
    for index, batch in enumerate(batches):
        body, content_type = multipart(xml, batch, incomplete=index == 0)
        status, _, answer = phone.request("POST", f"/v1/key/{key}/projects/1/submission", body,
                                          {"Content-Type": content_type}, chunked_body=True)
        assert status == 201, answer
        assert b"<OpenRosaResponse" in answer
    odk_visit = _processed(form.instance_id.removeprefix("uuid:"))

    json_key = token_create(user=reporter, device="app")[1]
    # Other pictures with the same metadata: the same bytes at another site would rightly be flagged `reused`.
    twins = {name: (shot(seed), caption) for (name, (_, caption)), seed in zip(photos.items(), (13, 14))}
    json_visit = _processed(_json_api_visit(gunicorn, json_key, json_site, twins))
    odk, api = _snapshot(odk_visit), _snapshot(json_visit)
    assert odk == api
    assert len(odk["photos"]) == 2 and all(photo[0] == "ready" for photo in odk["photos"])
    assert odk["discrepancies"], "the headcount claim is contradicted by the canteen worker's figure"


def test_thirty_identical_concurrent_submissions_make_one_visit_and_one_set_of_photos(gunicorn):
    reporter = make_user("reporter", "racing-reporter", password=PASSWORD)
    _, key = token_create(user=reporter, device="phone")
    site = hengda()
    form = the_form(site, [("gate.jpg", "The gate"), ("carpark.jpg", "Staff car park")])
    xml = instance_xml(form, version=served_version())
    files = {"gate.jpg": samples.jpeg_with_metadata(width=320, height=240, seed=21),
             "carpark.jpg": samples.jpeg_with_metadata(width=320, height=240, seed=22)}
    body, content_type = multipart(xml, files)
    phone = OpenRosaClient("127.0.0.1", gunicorn, f"/v1/key/{key}/projects/1")
    statuses, start = [], threading.Barrier(30)

    def send():
        start.wait()
        statuses.append(phone.request("POST", f"/v1/key/{key}/projects/1/submission", body,
                                      {"Content-Type": content_type})[0])

    threads = [threading.Thread(target=send) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [201] * 30
    assert Visit.objects.count() == 1 and OdkSubmission.objects.count() == 1
    assert Photo.objects.count() == 2
    other = instance_xml(VisitForm(**{**form.__dict__, "notes": "other"}), version=served_version())
    body, content_type = multipart(other, {})
    assert phone.request("POST", f"/v1/key/{key}/projects/1/submission", body, {"Content-Type": content_type})[0] == 409


def test_chunked_bodies_elsewhere_are_still_411(gunicorn):
    from tests.integration.test_wsgi_server import raw_request, upload_request

    assert raw_request(gunicorn, *upload_request(chunked_body=True)).startswith("HTTP/1.1 411")


def test_the_access_log_never_shows_a_device_token(transactional_db, tmp_path):
    """gunicorn started as docker-compose starts it, with its access log on: the key is redacted."""
    import socket
    import subprocess
    import sys
    import time

    from tests.integration.conftest import ROOT, worker_environment

    reporter = make_user("reporter", "logged-reporter", password=PASSWORD)
    _, key = token_create(user=reporter, device="phone")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "access.log"
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                                f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(log)], cwd=ROOT,
                               env={**worker_environment(), "ALLOWED_HOSTS": "127.0.0.1", "DB_CONN_MAX_AGE": "0"})
    try:
        phone = OpenRosaClient("127.0.0.1", port, f"/v1/key/{key}/projects/1")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if phone.request("GET", f"/v1/key/{key}/projects/1/formList")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        phone.request("GET", f"/v1/key/{key}/projects/1/nowhere")
        phone.request("HEAD", f"/v1/key/{key}/projects/1/submission")
    finally:
        process.terminate()
        process.wait(timeout=15)
    text = log.read_text()
    assert "/v1/key/_/projects/1/formList" in text and "/v1/key/_/projects/1/nowhere" in text
    assert key not in text
    assert re.search(r'"HEAD /v1/key/_/projects/1/submission HTTP/1.1" 204', text)
