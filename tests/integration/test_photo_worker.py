"""Photo processing on real workers (Redis, PostgreSQL): a worker killed mid-task, and the
reuse lookup that runs in SQL on PostgreSQL."""
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.models import Photo
from surveys.services.photo_pipeline import photo_process, reuse_matches
from surveys.imaging.fingerprints import Fingerprints
from tests.conftest import client_for
from tests.factories import SiteFactory, VisitFactory, make_user
from tests.imaging import samples
from tests.integration.conftest import Worker, wait_for

pytestmark = pytest.mark.integration


def derived_files(photo_id) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "derived" / str(photo_id)
    return sorted(f"derived/{photo_id}/{p.name}" for p in folder.glob("*")) if folder.exists() else []


def test_a_photo_whose_worker_is_killed_mid_task_ends_ready_once(purge_broker, transactional_db):
    reporter = make_user("reporter")
    visit = VisitFactory(reporter=reporter, site=SiteFactory())
    response = client_for(reporter).post(f"/api/v1/visits/{visit.pk}/photos/", {
        "file": SimpleUploadedFile("p.jpg", samples.jpeg_with_metadata(seed=70))}, format="multipart")
    assert response.status_code == 201 and response.json()["status"] == "pending"
    photo_id = response.json()["id"]

    # The first worker stores the derivatives, then sleeps (test-only delay) before its final update.
    first = Worker(name="killed", extra_env={"PHOTO_TEST_DELAY_SECONDS": "120"})
    try:
        first.wait_ready()
        wait_for(lambda: len(derived_files(photo_id)) == 2, timeout=60)
        first.kill()  # SIGKILL: no ack, no cleanup, the lease stays
    finally:
        first.stop()
    killed = Photo.objects.get(pk=photo_id)
    assert (killed.status, killed.attempts, killed.display.name) == ("pending", 1, "")
    orphans = derived_files(photo_id)

    # A new worker: the unacked message comes back after the visibility timeout, and the
    # expired lease lets it claim the row.
    second = Worker(name="second", extra_env={"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_SECONDS": "1",
                                              "PHOTO_LEASE_SECONDS": "5"})
    try:
        second.wait_ready()
        wait_for(lambda: Photo.objects.get(pk=photo_id).status == "ready", timeout=90)
    finally:
        second.stop()
    photo = Photo.objects.get(pk=photo_id)
    assert photo.attempts == 2 and photo.claimed_at is None and photo.phash
    assert derived_files(photo_id) == sorted([photo.display.name, photo.thumbnail.name])
    assert not set(orphans) & set(derived_files(photo_id))
    assert Photo.objects.filter(visit=visit).count() == 1


def _stored(visit, content: bytes) -> Photo:
    photo = Photo(visit=visit, original_format="jpeg", original_size=len(content),
                  sha256=hashlib.sha256(content).hexdigest())
    photo.original.save("original", ContentFile(content), save=False)
    photo.save()
    return photo


def test_reuse_lookup_runs_in_sql_on_postgresql(db, django_capture_on_commit_callbacks):
    start = dt.datetime(2024, 5, 14, 7, 0, tzinfo=dt.timezone.utc)
    first_visit, second_visit = (VisitFactory(started_at=start) for _ in range(2))
    scene = samples.photo(1200, 900, seed=71)
    original = _stored(first_visit, samples.jpeg_with_metadata(image=scene))
    unrelated = _stored(first_visit, samples.jpeg_with_metadata(seed=72))
    rotated = _stored(second_visit, samples.jpeg_with_metadata(image=scene.rotate(90, expand=True), quality=60))
    with django_capture_on_commit_callbacks(execute=True):
        for photo in (original, unrelated, rotated):
            assert photo_process(photo_id=photo.pk) == "ready"

    rotated.refresh_from_db()
    assert "reused" in rotated.flags
    assert [m["photo_id"] for m in rotated.flag_details["reused"]["matches"]] == [str(original.pk)]
    # The SQL test is exact: it returns the same photos as comparing every pair in Python.
    fp = Fingerprints(rotated.phash, rotated.dhash, tuple(rotated.hash_variants))
    assert [pk for pk, _ in reuse_matches(photo=rotated, fingerprints=fp)] == [original.pk]
