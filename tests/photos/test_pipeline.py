"""The worker's photo pipeline, in-process: evidence, clean derivatives, leases, failures."""
import datetime as dt
import hashlib
import io

import exifread
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from surveys.models import Photo
from surveys.services import photo_pipeline
from surveys.services.photo_pipeline import PhotoLeased, PhotoTransientError, photos_requeue_stale
from tests.imaging import samples
from tests.photos.conftest import media_files, upload

pytestmark = pytest.mark.django_db


def assert_no_metadata(jpeg: bytes) -> None:
    img = Image.open(io.BytesIO(jpeg))
    assert img.format == "JPEG" and len(img.getexif()) == 0
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "photoshop"} & set(img.info)
    tags = exifread.process_file(io.BytesIO(jpeg), details=True)
    assert not any(k.startswith(("GPS", "EXIF", "MakerNote", "Image")) for k in tags), list(tags)
    for needle in (b"Exif", b"http://ns.adobe.com/xap", b"GPSLatitude", samples.BODY_SERIAL.encode()):
        assert needle not in jpeg


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def stored_photo(visit, content: bytes, **fields) -> Photo:
    """A pending row whose original went straight into storage (bypassing the upload check)."""
    photo = Photo(visit=visit, original_format="jpeg", original_size=len(content),
                  sha256=hashlib.sha256(content).hexdigest(), **fields)
    photo.original.save("original", ContentFile(content), save=False)
    photo.save()
    return photo


@pytest.mark.parametrize("fmt, content, lat, lon, size", [
    ("jpeg", samples.jpeg_with_metadata(lat=31.2304, lon=121.4737, seed=1), 31.2304, 121.4737, (1200, 900)),
    ("heic", samples.heic_with_metadata(lat=31.2310, lon=121.4740, orientation=6, seed=2), 31.2310, 121.474,
     (900, 1200)),
])
def test_derivatives_carry_no_gps_xmp_or_maker_notes_while_evidence_keeps_them(
        reporter_client, visit, upload_processed, fmt, content, lat, lon, size):
    original = Image.open(io.BytesIO(content))
    assert original.getexif().get_ifd(0x8825) and b"GPSLatitude" in original.info["xmp"]  # GPS in EXIF and XMP

    photo = upload_processed(reporter_client, visit, content)

    assert photo.status == "ready", photo.error
    assert (photo.latitude, photo.longitude) == (pytest.approx(lat, abs=1e-6), pytest.approx(lon, abs=1e-6))
    assert photo.taken_at == samples.DEFAULT_TAKEN_AT.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert photo.camera_make == "Apple" and photo.gps_time is not None and (photo.width, photo.height) == size
    assert photo.evidence["latitude"] == photo.latitude and photo.evidence["format"] == fmt
    assert photo.flags == [] and photo.distance_m < 300
    stored = read(photo.original.name)
    assert stored == content and hashlib.sha256(stored).hexdigest() == photo.sha256
    assert_no_metadata(read(photo.display.name))
    assert_no_metadata(read(photo.thumbnail.name))
    assert Image.open(io.BytesIO(read(photo.display.name))).size == size
    assert max(Image.open(io.BytesIO(read(photo.thumbnail.name))).size) == 320


def test_faces_are_blurred_and_counted_unless_turned_off(reporter_client, visit, upload_processed, settings):
    assert upload_processed(reporter_client, visit, samples.face_image(faces=2, face_px=300)).faces_blurred == 2
    settings.PHOTO_BLUR_FACES = False
    assert upload_processed(reporter_client, visit, samples.face_image(faces=2, face_px=300, seed=3)).faces_blurred == 0


def test_running_twice_leaves_one_set_of_derivatives(reporter_client, visit, upload_processed, process):
    photo = upload_processed(reporter_client, visit, samples.jpeg_with_metadata(seed=4))
    assert process(photo.pk) == "ready"  # a duplicate message: nothing to do
    Photo.objects.filter(pk=photo.pk).update(status="pending")  # as reprocess_photos does
    assert process(photo.pk) == "ready"

    again = Photo.objects.get(pk=photo.pk)
    assert again.display.name != photo.display.name
    assert media_files("derived/") == sorted([again.display.name, again.thumbnail.name])
    assert Photo.objects.count() == 1


def test_files_left_by_a_killed_run_are_removed_by_the_next(visit, process):
    photo = stored_photo(visit, samples.jpeg_with_metadata(seed=5))
    orphan = default_storage.save(f"derived/{photo.pk}/{'0' * 32}.jpg", ContentFile(b"half-written"))

    assert process(photo.pk) == "ready"

    photo.refresh_from_db()
    assert orphan not in media_files()
    assert media_files("derived/") == sorted([photo.display.name, photo.thumbnail.name])


def test_a_live_lease_blocks_a_second_run_and_an_expired_one_does_not(visit, settings, process):
    photo = stored_photo(visit, samples.jpeg_with_metadata(seed=6))
    held = timezone.now() - dt.timedelta(seconds=10)
    Photo.objects.filter(pk=photo.pk).update(claimed_at=held, attempts=1)

    with pytest.raises(PhotoLeased) as leased:
        process(photo.pk)
    assert leased.value.retry_in == pytest.approx(settings.PHOTO_LEASE_SECONDS - 10 + 1, abs=2)
    photo.refresh_from_db()
    assert (photo.status, photo.claimed_at, photo.attempts, photo.display.name) == ("pending", held, 1, "")

    Photo.objects.filter(pk=photo.pk).update(claimed_at=held - dt.timedelta(seconds=settings.PHOTO_LEASE_SECONDS))
    assert process(photo.pk) == "ready"
    photo.refresh_from_db()
    assert (photo.status, photo.claimed_at, photo.attempts) == ("ready", None, 2)


def test_a_run_whose_lease_was_taken_over_stores_nothing(visit, monkeypatch, process):
    photo = stored_photo(visit, samples.jpeg_with_metadata(seed=7))
    real_flags = photo_pipeline._flags

    def slow_flags(p, *args):  # while this run works, its lease expires and another run claims it
        Photo.objects.filter(pk=p.pk).update(claimed_at=timezone.now())
        return real_flags(p, *args)

    monkeypatch.setattr(photo_pipeline, "_flags", slow_flags)
    assert process(photo.pk) == "lease lost"
    photo.refresh_from_db()
    assert photo.status == "pending" and photo.display.name == ""
    assert media_files("derived/") == []


@pytest.mark.parametrize("content, reason", [
    (samples.truncated_jpeg(), "truncated"),
    (samples.truncated_jpeg_with_end_marker(), "truncated"),
    (samples.bomb_png(), "too large"),
    (samples.not_an_image(), "not a supported image"),
])
def test_undecodable_files_fail_with_a_reason_and_the_worker_goes_on(visit, content, reason, process):
    bad = stored_photo(visit, content)
    good = stored_photo(visit, samples.jpeg_with_metadata(seed=8))

    assert process(bad.pk) == "failed"
    assert process(bad.pk) == "failed"  # no retry loop: a redelivery does nothing
    assert process(good.pk) == "ready"

    bad.refresh_from_db()
    assert bad.status == "failed" and reason in bad.error and bad.claimed_at is None
    assert bad.attempts == 1 and bad.display.name == ""


def test_an_original_changed_in_storage_fails(visit, process):
    photo = stored_photo(visit, samples.jpeg_with_metadata(seed=9))
    Photo.objects.filter(pk=photo.pk).update(sha256="0" * 64)
    assert process(photo.pk) == "failed"
    assert "sha256" in Photo.objects.get(pk=photo.pk).error


def test_a_missing_original_fails(visit, process):
    photo = stored_photo(visit, samples.jpeg_with_metadata(seed=9))
    default_storage.delete(photo.original.name)
    assert process(photo.pk) == "failed"
    assert "missing" in Photo.objects.get(pk=photo.pk).error


def test_a_storage_outage_hands_the_lease_back_for_a_retry(visit, monkeypatch, process):
    photo = stored_photo(visit, samples.jpeg_with_metadata(seed=10))

    def unavailable(*args, **kwargs):
        raise ConnectionResetError("storage went away")

    monkeypatch.setattr(type(default_storage._wrapped), "open", unavailable)
    with pytest.raises(PhotoTransientError):  # a ConnectionError: the task retries with backoff
        process(photo.pk)
    photo.refresh_from_db()
    assert (photo.status, photo.claimed_at, photo.attempts) == ("pending", None, 0)


def test_a_photo_that_keeps_killing_its_worker_ends_failed(visit, settings, process):
    photo = stored_photo(visit, samples.jpeg_with_metadata(seed=11))
    expired = timezone.now() - dt.timedelta(seconds=settings.PHOTO_LEASE_SECONDS + 1)
    Photo.objects.filter(pk=photo.pk).update(claimed_at=expired, attempts=photo_pipeline.MAX_ATTEMPTS)
    assert process(photo.pk) == "failed"
    assert "interrupted" in Photo.objects.get(pk=photo.pk).error


def test_sweep_requeues_expired_leases_and_lost_messages_only(visit, settings, django_capture_on_commit_callbacks):
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.PHOTO_LEASE_SECONDS)
    expired = stored_photo(visit, samples.jpeg_with_metadata(seed=12))
    lost = stored_photo(visit, samples.jpeg_with_metadata(seed=13))
    live = stored_photo(visit, samples.jpeg_with_metadata(seed=14))
    fresh = stored_photo(visit, samples.jpeg_with_metadata(seed=15))
    Photo.objects.filter(pk=expired.pk).update(claimed_at=now - lease - dt.timedelta(seconds=1))
    Photo.objects.filter(pk=lost.pk).update(updated_at=now - dt.timedelta(minutes=30))
    Photo.objects.filter(pk=live.pk).update(claimed_at=now, updated_at=now - dt.timedelta(minutes=30))

    assert photos_requeue_stale() == 2  # eager here: the re-queued tasks run at once
    statuses = dict(Photo.objects.values_list("pk", "status"))
    assert (statuses[expired.pk], statuses[lost.pk]) == ("ready", "ready")
    assert (statuses[live.pk], statuses[fresh.pk]) == ("pending", "pending")


def test_upload_is_pending_until_the_commit_runs_the_task(reporter_client, visit):
    response = upload(reporter_client, visit, samples.jpeg_with_metadata(seed=16))
    assert response.status_code == 201 and response.json()["status"] == "pending"
