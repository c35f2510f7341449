import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.models import Photo
from tests.factories import SiteFactory, VisitFactory
from tests.imaging import samples

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: The samples' capture time (2024-05-14 15:30:12 +08:00) falls inside this visit.
VISIT_START = samples.DEFAULT_TAKEN_AT.replace(tzinfo=SHANGHAI) - dt.timedelta(minutes=30)


@pytest.fixture
def site(db):
    return SiteFactory(latitude=samples.DEFAULT_LAT, longitude=samples.DEFAULT_LON, radius_m=300,
                       timezone="Asia/Shanghai")


@pytest.fixture
def visit(site, reporter):
    return VisitFactory(site=site, reporter=reporter, started_at=VISIT_START,
                        ended_at=VISIT_START + dt.timedelta(hours=1))


@pytest.fixture
def other_visit(site, other_reporter):
    """Another reporter's visit to another site: the place a reused photo turns up."""
    elsewhere = SiteFactory(latitude=samples.DEFAULT_LAT, longitude=samples.DEFAULT_LON, radius_m=300)
    return VisitFactory(site=elsewhere, reporter=other_reporter, started_at=VISIT_START,
                        ended_at=VISIT_START + dt.timedelta(hours=1))


def upload(client, visit, content: bytes, name: str = "photo.jpg", **fields):
    data = {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream"), **fields}
    return client.post(f"/api/v1/visits/{visit.pk}/photos/", data, format="multipart")


@pytest.fixture
def upload_processed(django_capture_on_commit_callbacks):
    """Upload through the API and run what the commit enqueued (the eager task)."""
    def run(client, visit, content: bytes, **fields) -> Photo:
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, visit, content, **fields)
        assert response.status_code == 201, response.content[:300]
        return Photo.objects.get(pk=response.json()["id"])

    return run


def media_files(prefix: str = "") -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                  and str(p.relative_to(root)).startswith(prefix))


@pytest.fixture
def process(django_capture_on_commit_callbacks):
    """photo_process as a task runs it: outside any transaction, so its on-commit cleanup runs."""
    from surveys.services.photo_pipeline import photo_process

    def run(photo_id) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return photo_process(photo_id=photo_id)

    return run
