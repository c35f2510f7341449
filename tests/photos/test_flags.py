"""Flags set by the pipeline on photos uploaded through the API, with the numbers behind them."""
import datetime as dt

import pytest
from PIL import Image

from tests.imaging import samples

pytestmark = pytest.mark.django_db


def test_a_photo_taken_30_km_away_is_far_from_site(reporter_client, visit, upload_processed):
    photo = upload_processed(reporter_client, visit, samples.jpeg_with_metadata(lat=31.5, lon=121.4737, seed=20))
    assert photo.flags == ["far_from_site"]
    assert photo.distance_m == pytest.approx(30_000, rel=0.02)
    assert photo.flag_details["far_from_site"]["radius_m"] == 300


def test_a_photo_taken_the_day_before_the_visit_is_a_time_mismatch(reporter_client, visit, upload_processed):
    day_before = samples.DEFAULT_TAKEN_AT - dt.timedelta(days=1)
    photo = upload_processed(reporter_client, visit, samples.jpeg_with_metadata(taken_at=day_before, seed=21))
    assert photo.flags == ["time_mismatch"]
    assert photo.flag_details["time_mismatch"]["delta_minutes"] < -20 * 60


def test_a_naive_capture_time_is_read_in_the_sites_timezone(reporter_client, visit, upload_processed):
    photo = upload_processed(reporter_client, visit, samples.jpeg_with_metadata(offset=None, seed=22))
    assert photo.taken_at == samples.DEFAULT_TAKEN_AT.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert not photo.taken_at_has_offset and "time_mismatch" not in photo.flags


@pytest.mark.parametrize("metadata, reason", [
    ({"software": "Adobe Photoshop 25.0"}, "software"),
    ({"modified_at": samples.DEFAULT_TAKEN_AT + dt.timedelta(days=2)}, "modified_after_capture"),
])
def test_an_edited_photo_is_flagged_with_its_reason(reporter_client, visit, upload_processed, metadata, reason):
    photo = upload_processed(reporter_client, visit, samples.jpeg_with_metadata(seed=23, **metadata))
    assert photo.flags == ["edited"]
    assert photo.flag_details["edited"]["reasons"] == [reason]


def test_a_photo_without_gps_has_no_location(reporter_client, visit, upload_processed):
    photo = upload_processed(reporter_client, visit, samples.jpeg_with_metadata(lat=None, lon=None, seed=24))
    assert photo.flags == ["no_location"] and photo.distance_m is None


def _reupload(img: Image.Image, quality: int = 90) -> bytes:
    return samples.jpeg_with_metadata(image=img, quality=quality, exif_thumbnail=False)


@pytest.mark.parametrize("label, transform", [
    ("re-encoded", lambda img: _reupload(img, quality=55)),
    ("resized", lambda img: _reupload(img.resize((600, 450), Image.Resampling.LANCZOS))),
    ("rotated", lambda img: _reupload(img.transpose(Image.Transpose.ROTATE_90))),
    ("mirrored", lambda img: _reupload(img.transpose(Image.Transpose.FLIP_LEFT_RIGHT))),
])
def test_a_photo_reused_in_another_visit_is_flagged_and_linked(
        reporter_client, other_reporter_client, visit, other_visit, upload_processed, label, transform):
    scene = samples.photo(1200, 900, seed=30)
    first = upload_processed(other_reporter_client, other_visit, _reupload(scene))
    again = upload_processed(reporter_client, visit, transform(scene))

    assert again.flags == ["reused"], label
    matches = again.flag_details["reused"]["matches"]
    assert [m["photo_id"] for m in matches] == [str(first.pk)] and matches[0]["distance"] <= 10
    assert first.flags == []


def test_an_unrelated_photo_and_a_duplicate_within_the_same_visit_are_not_reused(
        reporter_client, other_reporter_client, visit, other_visit, upload_processed):
    upload_processed(other_reporter_client, other_visit, _reupload(samples.photo(1200, 900, seed=31)))
    unrelated = upload_processed(reporter_client, visit, _reupload(samples.photo(1200, 900, seed=32)))
    same_visit_copy = upload_processed(reporter_client, visit, _reupload(samples.photo(1200, 900, seed=32), 70))
    assert unrelated.flags == [] and same_visit_copy.flags == []
