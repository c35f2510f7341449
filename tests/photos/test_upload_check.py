"""The upload check and the worker judge an image by one decoder under one set of limits."""
import pytest

from surveys.models import Photo
from tests.imaging import samples
from tests.photos.conftest import media_files, upload
from tests.photos.test_pipeline import stored_photo

pytestmark = pytest.mark.django_db


def test_a_truncated_jpeg_with_a_valid_end_marker_is_refused_at_upload(reporter_client, visit):
    response = upload(reporter_client, visit, samples.truncated_jpeg_with_end_marker())
    assert response.status_code == 400
    assert "truncated" in response.json()["errors"]["file"][0]
    assert Photo.objects.count() == 0 and media_files() == []


def test_the_decoded_size_limit_applies_at_upload_and_in_the_worker(reporter_client, visit, settings, process):
    png = samples.png_bytes(width=640, height=480)  # 640 x 480 x 4 bytes = 1.2 MB decoded
    settings.PHOTO_MAX_DECODED_BYTES = 1_000_000
    response = upload(reporter_client, visit, png, name="p.png")
    assert response.status_code == 400
    assert "MB to decode" in response.json()["detail"] and Photo.objects.count() == 0

    photo = stored_photo(visit, png)  # stored before the limit was lowered
    assert process(photo.pk) == "failed"
    photo.refresh_from_db()
    assert "MB to decode" in photo.error


def test_the_pixel_cap_from_settings_applies_in_the_worker_too(visit, settings, process):
    photo = stored_photo(visit, samples.jpeg_with_metadata(width=400, height=300))
    settings.PHOTO_MAX_PIXELS = 100_000
    assert process(photo.pk) == "failed"
    photo.refresh_from_db()
    assert "limit is 0.1 megapixels" in photo.error


def test_an_accepted_upload_is_processed(reporter_client, visit, upload_processed):
    photo = upload_processed(reporter_client, visit, samples.jpeg_with_metadata(width=400, height=300))
    assert photo.status == "ready" and photo.taken_at is not None
