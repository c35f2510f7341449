"""python manage.py reprocess_photos [--failed] [--visit ID]"""
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from surveys.models import Photo
from tests.imaging import samples
from tests.photos.conftest import media_files
from tests.photos.test_pipeline import stored_photo

pytestmark = pytest.mark.django_db


def reprocess(*args) -> str:
    out = io.StringIO()
    call_command("reprocess_photos", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def photos(visit, other_visit, process):
    good = stored_photo(visit, samples.jpeg_with_metadata(seed=60))
    bad = stored_photo(visit, samples.truncated_jpeg())
    elsewhere = stored_photo(other_visit, samples.jpeg_with_metadata(seed=61))
    for photo in (good, bad, elsewhere):
        process(photo.pk)
    return good, bad, elsewhere


def test_failed_only_reruns_the_failed_photos(photos, settings):
    good, bad, _ = photos
    before = Photo.objects.get(pk=good.pk).display.name
    assert "1 photos queued" in reprocess("--failed")
    bad.refresh_from_db()
    assert bad.status == "failed" and "truncated" in bad.error and bad.attempts == 1  # ran again, from zero
    assert Photo.objects.get(pk=good.pk).display.name == before


def test_visit_scope_and_repeating_leave_one_set_of_derivatives_per_photo(photos, visit, django_capture_on_commit_callbacks):
    good, bad, elsewhere = photos
    elsewhere_before = Photo.objects.get(pk=elsewhere.pk).display.name
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert "2 photos queued" in reprocess("--visit", str(visit.pk))
    good.refresh_from_db()
    assert good.status == "ready" and Photo.objects.get(pk=elsewhere.pk).display.name == elsewhere_before
    assert media_files(f"derived/{good.pk}/") == sorted([good.display.name, good.thumbnail.name])
    assert Photo.objects.count() == 3


def test_a_photo_being_processed_is_skipped(photos):
    good, _, _ = photos
    Photo.objects.filter(pk=good.pk).update(status="pending", claimed_at=timezone.now() - dt.timedelta(seconds=5))
    assert "1 photos queued for processing, 1 skipped" in reprocess("--visit", str(good.visit_id))
    assert Photo.objects.get(pk=good.pk).status == "pending"


def test_a_bad_visit_id_is_a_command_error(db):
    with pytest.raises(CommandError):
        reprocess("--visit", "not-a-uuid")
