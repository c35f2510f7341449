"""Photo intake: only real images are stored, and a refusal leaves no row and no file."""
import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.models import Photo
from tests.factories import VisitFactory
from tests.imaging import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(reporter):
    return VisitFactory(reporter=reporter)


def upload(client, visit, content: bytes, name="photo.jpg", content_type="image/jpeg", **fields):
    data = {"file": SimpleUploadedFile(name, content, content_type=content_type), **fields}
    return client.post(f"/api/v1/visits/{visit.pk}/photos/", data, format="multipart")


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("fmt, content", [
    ("jpeg", samples.jpeg_with_metadata(width=800, height=600)),
    ("png", samples.png_bytes()),
    ("webp", samples.webp_bytes()),
    ("heic", samples.heic_with_metadata(width=640, height=480)),
])
def test_real_images_are_accepted_whatever_their_name(reporter_client, visit, fmt, content):
    response = upload(reporter_client, visit, content, name="upload.bin", content_type="application/octet-stream")
    assert response.status_code == 201, response.json()
    photo = Photo.objects.get()
    assert photo.original_format == fmt and photo.status in ("pending", "ready", "failed")
    assert len(stored_files()) >= 1


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
POLYGLOT = b"\x89PNG\r\n\x1a\n" + HTML * 20


@pytest.mark.parametrize("label, content, name, expected", [
    ("bomb png", samples.bomb_png(), "bomb.png", {400}),
    ("svg with script", SVG, "image.svg", {415}),
    ("html renamed jpg", HTML, "image.jpg", {415}),
    ("png+html polyglot", POLYGLOT, "image.png", {400}),
    ("truncated jpeg", samples.truncated_jpeg(), "cut.jpg", {400}),
    ("zero bytes", b"", "empty.jpg", {400}),
    ("pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "doc.jpg", {415}),
])
def test_malicious_uploads_get_4xx_and_leave_nothing(reporter_client, visit, label, content, name, expected):
    response = upload(reporter_client, visit, content, name=name)
    assert response.status_code in expected, (label, response.status_code, response.content[:200])
    body = response.json()
    assert body["detail"] and "file" in body.get("errors", {})
    assert Photo.objects.count() == 0
    assert stored_files() == []


def test_thirty_megabytes_is_413_before_anything_is_stored(reporter_client, visit):
    big = b"\xff\xd8\xff" + os.urandom(30 * 1024 * 1024)
    response = upload(reporter_client, visit, big)
    assert response.status_code == 413
    assert response.json()["detail"]
    assert Photo.objects.count() == 0 and stored_files() == []


def test_size_cap_is_enforced_while_reading_when_the_length_header_understates(reporter_client, visit, settings,
                                                                               monkeypatch):
    settings.PHOTO_MAX_BYTES = 100_000
    monkeypatch.setattr("api.uploads.MULTIPART_OVERHEAD", 10 * 1024 * 1024)  # skip the early header check
    response = upload(reporter_client, visit, b"\xff\xd8\xff" + os.urandom(300_000))
    assert response.status_code == 413
    assert Photo.objects.count() == 0 and stored_files() == []


def test_chunked_body_without_length_is_411(reporter_client, visit):
    response = reporter_client.generic(
        "POST", f"/api/v1/visits/{visit.pk}/photos/", b"", content_type="multipart/form-data; boundary=x",
        HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="")
    assert response.status_code == 411
    assert response.json()["detail"]
    assert Photo.objects.count() == 0


def test_pixel_cap_turns_a_large_image_into_a_4xx(reporter_client, visit, settings):
    settings.PHOTO_MAX_PIXELS = 100_000
    response = upload(reporter_client, visit, samples.png_bytes(width=640, height=480))
    assert response.status_code == 400
    assert "pixels" in response.json()["detail"]


def test_photo_retry_with_same_id_returns_the_photo_and_stores_one_file(reporter_client, visit):
    content = samples.jpeg_with_metadata(width=400, height=300)
    photo_id = str(uuid.uuid4())
    first = upload(reporter_client, visit, content, id=photo_id, caption="gate")
    second = upload(reporter_client, visit, content, id=photo_id, caption="gate")
    assert (first.status_code, second.status_code) == (201, 200)
    assert Photo.objects.count() == 1
    assert len([p for p in stored_files() if "originals" in str(p)]) == 1
    other = upload(reporter_client, visit, samples.jpeg_with_metadata(width=400, height=300, seed=3), id=photo_id)
    assert other.status_code == 409


def test_another_reporters_visit_is_404_for_uploads(other_reporter_client, visit):
    response = upload(other_reporter_client, visit, samples.png_bytes())
    assert response.status_code == 404
    assert Photo.objects.count() == 0


def test_missing_file_field_is_a_field_error(reporter_client, visit):
    response = reporter_client.post(f"/api/v1/visits/{visit.pk}/photos/", {"caption": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_json_body_on_upload_is_415(reporter_client, visit):
    response = reporter_client.post(f"/api/v1/visits/{visit.pk}/photos/", {"file": "x"}, format="json")
    assert response.status_code == 415


def test_exporters_get_display_images_only_once_approved(reporter, exporter_client, editor_client):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    photo = Photo(visit=VisitFactory(reporter=reporter), original_format="jpeg", original_size=3, sha256="0" * 64,
                  status="ready")
    for field in ("original", "display", "thumbnail"):
        getattr(photo, field).save(field, ContentFile(b"jpeg"), save=False)
    photo.save()
    url = f"/api/v1/photos/{photo.pk}/file/?variant=display"
    assert editor_client.get(url).status_code == 200
    assert exporter_client.get(url).status_code == 404
    assert "display" not in exporter_client.get(f"/api/v1/photos/{photo.pk}/").json()["files"]
    photo.approved_at = timezone.now()
    photo.save()
    response = exporter_client.get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert exporter_client.get(f"/api/v1/photos/{photo.pk}/file/?variant=original").status_code == 404


def test_deleting_a_site_with_visits_is_409_not_500(editor_client, reporter):
    visit = VisitFactory(reporter=reporter)
    response = editor_client.delete(f"/api/v1/sites/{visit.site_id}/")
    assert response.status_code == 409 and response.json()["detail"]
