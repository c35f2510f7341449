"""Export jobs: created through the API, run by the worker task, downloaded, expired."""
import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys import tasks
from surveys.models import ExportJob
from surveys.services import exports as export_services
from tests.conftest import client_for
from tests.exports.conftest import make_photo, read
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_in_process(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also when a broker is configured (Celery reads Django's settings)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Jobs run as the worker would, once the creating request has committed."""
    def post(client, body):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/exports/jobs/", body, format="json")
        return response
    return post


def download(client, job_id) -> bytes:
    response = client.get(f"/api/v1/exports/jobs/{job_id}/download/")
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def test_a_job_runs_and_its_result_matches_the_streamed_export(editor_client, dataset, run_jobs):
    response = run_jobs(editor_client, {"format": "visits.csv", "filters": {"since": "2025-10-15"}})
    assert response.status_code == 202
    assert response["Location"].endswith(f"/api/v1/exports/jobs/{response.json()['id']}/")
    job = editor_client.get(f"/api/v1/exports/jobs/{response.json()['id']}/").json()
    assert (job["status"], job["progress"], job["rows"], job["total"]) == ("done", 100.0, 2, 2)
    assert job["download"].endswith("/download/")
    assert job["filters"] == {"since": "2025-10-15T00:00:00+00:00"}
    streamed = read(editor_client.get("/api/v1/exports/visits.csv?since=2025-10-15"))
    assert download(editor_client, job["id"]) == streamed


def test_a_job_reports_progress_every_n_rows(editor_client, dataset, run_jobs, monkeypatch):
    monkeypatch.setattr(export_services, "PROGRESS_EVERY", 2)
    with CaptureQueriesContext(connection) as queries:
        job_id = run_jobs(editor_client, {"format": "observations.csv"}).json()["id"]
    progress_writes = [q["sql"] for q in queries.captured_queries
                       if q["sql"].startswith("UPDATE") and '"progress"' in q["sql"] and "'running'" in q["sql"]]
    assert len(progress_writes) >= 3  # after rows 2 and 4, and at the end
    assert ExportJob.objects.get(pk=job_id).progress == 100


def test_an_exporters_job_follows_the_exporter_policy(exporter_client, dataset, run_jobs, exporter):
    job_id = run_jobs(exporter_client, {"format": "discrepancies.csv"}).json()["id"]
    body = download(exporter_client, job_id).decode()
    assert body.count("confirmed") == 2 and ",open," not in body


def test_only_the_requester_and_editors_see_a_job(exporter_client, editor_client, dataset, run_jobs):
    job_id = run_jobs(exporter_client, {"format": "visits.jsonl"}).json()["id"]
    other_exporter = client_for(make_user("exporter", "other-desk"))
    for path in ("", "download/"):
        assert other_exporter.get(f"/api/v1/exports/jobs/{job_id}/{path}").status_code == 404
        assert editor_client.get(f"/api/v1/exports/jobs/{job_id}/{path}").status_code == 200
    editors_job = run_jobs(editor_client, {"format": "visits.jsonl"}).json()["id"]
    assert exporter_client.get(f"/api/v1/exports/jobs/{editors_job}/download/").status_code == 404


def test_reporters_and_anonymous_cannot_use_jobs(reporter_client, anon_client, editor_client, dataset, run_jobs):
    job_id = run_jobs(editor_client, {"format": "claims.csv"}).json()["id"]
    assert reporter_client.post("/api/v1/exports/jobs/", {"format": "claims.csv"}, format="json").status_code == 403
    assert reporter_client.get(f"/api/v1/exports/jobs/{job_id}/download/").status_code == 403
    assert anon_client.get(f"/api/v1/exports/jobs/{job_id}/").status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"format": "visits.xlsx"}, "format"), ({}, "format"),
    ({"format": "visits.csv", "filters": {"since": "soon"}}, "filters"),
    ({"format": "visits.csv", "filters": {"site": "x"}}, "filters"),
])
def test_bad_job_requests_are_400(editor_client, body, field):
    response = editor_client.post("/api/v1/exports/jobs/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not ExportJob.objects.exists()


def test_a_pending_job_cannot_be_downloaded_yet(editor_client, editor):
    job = ExportJob.objects.create(requested_by=editor, format="visits.csv")
    response = editor_client.get(f"/api/v1/exports/jobs/{job.pk}/download/")
    assert response.status_code == 409 and "not ready" in response.json()["detail"]


def test_running_a_job_twice_is_safe(editor, dataset):
    job = ExportJob.objects.create(requested_by=editor, format="visits.csv")
    assert tasks.run_export_job(str(job.pk)) == "done"
    first = ExportJob.objects.get(pk=job.pk)
    assert tasks.run_export_job(str(job.pk)) == "skipped"  # a redelivered message
    assert ExportJob.objects.get(pk=job.pk).result.name == first.result.name


def test_a_job_whose_worker_died_is_taken_over_after_the_lease(editor, dataset, settings):
    stale = timezone.now() - dt.timedelta(seconds=settings.EXPORT_JOB_TIME_LIMIT + 5)
    job = ExportJob.objects.create(requested_by=editor, format="visits.csv", status="running", claimed_at=stale)
    fresh = ExportJob.objects.create(requested_by=editor, format="visits.csv", status="running",
                                     claimed_at=timezone.now())
    assert tasks.run_export_job(str(fresh.pk)) == "skipped"  # a live run holds it
    assert tasks.requeue_stale_export_jobs() == 1  # eager: runs the stale one again
    assert ExportJob.objects.get(pk=job.pk).status == "done"


def test_a_failing_job_is_marked_failed(editor, dataset, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_services, "export_write", explode)
    job = ExportJob.objects.create(requested_by=editor, format="visits.csv")
    assert tasks.run_export_job(str(job.pk)) == "failed"
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "RuntimeError: disk full")


def test_expired_results_are_deleted_and_no_longer_downloadable(editor_client, editor, dataset, settings):
    job = ExportJob.objects.create(requested_by=editor, format="claims.csv")
    tasks.run_export_job(str(job.pk))
    job.refresh_from_db()
    name = job.result.name
    assert default_storage.exists(name)
    assert job.expires_at - job.finished_at == settings.EXPORT_JOB_TTL
    assert tasks.expire_export_jobs() == 0  # not yet
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.expire_export_jobs() == 1
    job.refresh_from_db()
    assert job.status == "expired" and not job.result and not default_storage.exists(name)
    assert editor_client.get(f"/api/v1/exports/jobs/{job.pk}/download/").status_code == 410
    assert "expire-export-jobs" in settings.CELERY_BEAT_SCHEDULE


def test_a_bundle_has_the_export_the_approved_display_images_and_a_manifest(exporter_client, dataset, run_jobs):
    approved = make_photo(dataset["visits"]["gate"], approved=True, content=b"\xff\xd8approved\xff\xd9")
    make_photo(dataset["visits"]["gate"], approved=False)
    make_photo(dataset["visits"]["plot"], approved=True)  # outside the site filter
    site = dataset["park"].pk
    job = run_jobs(exporter_client, {"format": "visits.geojson", "filters": {"site": site},
                                     "include_photos": True}).json()
    response = exporter_client.get(f"/api/v1/exports/jobs/{job['id']}/download/")
    assert 'filename="visits.zip"' in response["Content-Disposition"]
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(bundle.namelist()) == sorted(["visits.geojson", "manifest.json", f"photos/{approved.pk}.jpg"])
    assert bundle.read(f"photos/{approved.pk}.jpg") == b"\xff\xd8approved\xff\xd9"
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["format"] == "visits.geojson" and manifest["policy"] == "exporter"
    assert manifest["files"] == [{"name": "visits.geojson", "rows": 2}]
    assert [photo["id"] for photo in manifest["photos"]] == [str(approved.pk)]
    assert "latitude" not in json.dumps(manifest)  # no photo positions
    geojson = json.loads(bundle.read("visits.geojson"))
    assert [f["geometry"]["coordinates"] for f in geojson["features"]] == [[121.4, 31.2]] * 2
    assert ExportJob.objects.get(pk=job["id"]).total == 3  # two visits and one photo


def test_the_export_command_writes_the_same_bytes_as_the_endpoint(editor_client, dataset, tmp_path):
    output = tmp_path / "visits.csv"
    call_command("export", "visits.csv", "--since", "2025-10-15", "--output", str(output))
    assert output.read_bytes() == read(editor_client.get("/api/v1/exports/visits.csv?since=2025-10-15"))


def test_the_export_command_applies_a_users_policy_and_bundles_photos(dataset, exporter, tmp_path):
    make_photo(dataset["visits"]["gate"], approved=True)
    output = tmp_path / "bundle.zip"
    call_command("export", "discrepancies.csv", "--user", exporter.username, "--include-photos",
                 "--output", str(output))
    bundle = zipfile.ZipFile(output)
    assert ",open," not in bundle.read("discrepancies.csv").decode()
    assert len(json.loads(bundle.read("manifest.json"))["photos"]) == 1
