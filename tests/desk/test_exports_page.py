"""Landing by role, and the exports page: a link per format with the filters, export jobs with progress."""
import pytest
from django.core.files.base import ContentFile

from surveys.models import ExportJob
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_each_role_lands_on_its_page(client, editor, exporter, reporter, settings):
    for user, landing in ((editor, None), (exporter, "/desk/exports/"), (reporter, "/app/")):
        client.force_login(user)
        response = client.get("/desk/")
        assert (response.status_code == 200) if landing is None else (response["Location"] == landing)
        client.logout()
    settings.REPORTER_HOME = "desk-mine"  # a URL name works too: the desk's own follow-up page
    client.force_login(reporter)
    assert client.get("/desk/")["Location"] == "/desk/mine/"


def test_login_sends_a_reporter_to_the_reporter_app(client, reporter):
    """The reporter app at /app/ is where reporters work; the desk's header still links their follow-ups."""
    response = client.post("/accounts/login/", {"username": reporter.username, "password": "correct-horse-9"})
    assert response["Location"] == "/desk/"
    assert client.get(response["Location"])["Location"] == "/app/"
    page = client.get("/desk/mine/").content.decode()
    assert '<a href="/app/">Reporter app</a>' in page and '<a href="/desk/mine/">My follow-ups</a>' in page
    chinese = client.get("/desk/mine/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert '<a href="/app/">记者应用</a>' in chinese


def test_login_sends_an_exporter_to_the_exports_page(client, exporter):
    response = client.post("/accounts/login/", {"username": exporter.username, "password": "correct-horse-9"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/desk/exports/"
    assert "Export jobs" in response.content.decode()


def test_links_carry_the_filters_in_the_desks_zone(client, exporter, desk_world, settings):
    settings.DESK_TIME_ZONE = "Asia/Shanghai"
    client.force_login(exporter)
    page = client.get(f"/desk/exports/?site={desk_world['site'].pk}&since=2025-10-01&until=2025-10-31"
                      f"&metric=headcount").content.decode()
    link = (f"/api/v1/exports/discrepancies.csv?site={desk_world['site'].pk}"
            "&amp;since=2025-10-01T00%3A00%3A00%2B08%3A00"
            f"&amp;until=2025-11-01T00%3A00%3A00%2B08%3A00&amp;metric=headcount")
    assert link in page
    assert "Confirmed discrepancies as fact checks (ClaimReview)" in page
    assert "you get confirmed discrepancies only" in page
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200


def test_a_bad_filter_is_left_out_not_an_error(client, exporter):
    client.force_login(exporter)
    response = client.get("/desk/exports/?since=yesterday&site=abc")
    assert response.status_code == 200
    assert 'href="/api/v1/exports/visits.csv"' in response.content.decode()


def test_starting_a_job_uses_the_export_service_and_lists_its_progress(client, exporter, desk_world,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(exporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/desk/exports/jobs/", {"format": "claims.csv", "include_photos": "on",
                                                       "filters": f"site={desk_world['site'].pk}"})
    assert response["Location"] == f"/desk/exports/?site={desk_world['site'].pk}"
    job = ExportJob.objects.get()
    assert (job.requested_by, job.format, job.include_photos, job.filters) == (
        exporter, "claims.csv", True, {"site": desk_world["site"].pk})
    assert job.status == "done"
    page = client.get("/desk/exports/").content.decode()
    assert f'href="/api/v1/exports/jobs/{job.pk}/download/" data-job-download>' in page
    assert f'data-job-url="/api/v1/exports/jobs/{job.pk}/"' in page
    assert client.get(f"/api/v1/exports/jobs/{job.pk}/download/").status_code == 200


def test_a_running_job_shows_its_progress_and_no_download_yet(client, exporter):
    job = ExportJob.objects.create(requested_by=exporter, format="visits.csv", status="running", progress=42.4,
                                   rows=4250, total=10000)
    client.force_login(exporter)
    page = client.get("/desk/exports/").content.decode()
    assert 'value="42"' in page and "4,250" in page and 'data-status="running"' in page
    assert f'href="/api/v1/exports/jobs/{job.pk}/download/" data-job-download hidden>' in page


def test_exporters_see_only_their_own_jobs_and_reporters_not_the_page(client, exporter, reporter):
    other = make_user("exporter", "exporter-two")
    theirs = ExportJob.objects.create(requested_by=other, format="visits.csv", status="done")
    theirs.result.save("r.csv", ContentFile(b"id\n"), save=True)
    mine = ExportJob.objects.create(requested_by=exporter, format="claims.csv")
    client.force_login(exporter)
    page = client.get("/desk/exports/").content.decode()
    assert str(mine.pk) in page and str(theirs.pk) not in page
    client.force_login(reporter)
    assert client.get("/desk/exports/").status_code == 403
    assert client.post("/desk/exports/jobs/", {"format": "claims.csv"}).status_code == 403


def test_exports_page_query_count_does_not_grow(client, exporter, django_assert_num_queries):
    client.force_login(exporter)
    ExportJob.objects.create(requested_by=exporter, format="claims.csv")
    # session, user, role, jobs (with requester), sites
    with django_assert_num_queries(5):
        client.get("/desk/exports/")
    for _ in range(5):
        ExportJob.objects.create(requested_by=exporter, format="visits.csv", status="done")
    with django_assert_num_queries(5):
        client.get("/desk/exports/")
