"""GET /api/v1/photos/{id}/file/?variant=: who gets which bytes, with which headers, and the audit."""
import pytest
from django.core.files.storage import default_storage

from surveys.models import AuditEvent
from tests.imaging import samples
from tests.photos.conftest import upload

pytestmark = pytest.mark.django_db


HEIC = samples.heic_with_metadata(seed=40)


@pytest.fixture
def photo(reporter_client, visit, upload_processed):
    return upload_processed(reporter_client, visit, HEIC)


def fetch(client, photo, variant):
    photo_id = photo if isinstance(photo, str) else photo.pk
    return client.get(f"/api/v1/photos/{photo_id}/file/", {"variant": variant})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def stored(name) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def original_accesses(photo) -> list:
    return list(AuditEvent.objects.filter(action="photo.original_access", object_id=str(photo.pk))
                .values_list("actor__username", flat=True))


@pytest.mark.parametrize("variant, content_type, extension", [
    ("display", "image/jpeg", "jpg"), ("thumbnail", "image/jpeg", "jpg"), ("original", "image/heic", "heic"),
])
def test_each_variant_streams_its_bytes_with_safe_headers(reporter_client, photo, variant, content_type, extension):
    response = fetch(reporter_client, photo, variant)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'inline; filename="{photo.pk}-{variant}.{extension}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == stored(getattr(photo, variant).name)


def test_originals_reach_owner_editors_and_admins_and_each_access_is_audited(
        reporter_client, editor_client, admin_client_api, photo):
    for client in (reporter_client, editor_client, admin_client_api, editor_client):
        response = fetch(client, photo, "original")
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert original_accesses(photo) == ["editor-one", "admin-one", "editor-one", "reporter-one"]  # newest first


def test_display_access_is_not_audited(editor_client, photo):
    assert fetch(editor_client, photo, "display").status_code == 200
    assert original_accesses(photo) == []


def test_exporters_never_get_originals(exporter_client, photo):
    assert fetch(exporter_client, photo, "original").status_code == 404
    assert original_accesses(photo) == []


def test_another_reporter_gets_404_for_every_variant(other_reporter_client, photo):
    for variant in ("display", "thumbnail", "original"):
        assert fetch(other_reporter_client, photo, variant).status_code == 404
    assert original_accesses(photo) == []


def test_derivatives_of_a_pending_photo_are_404_and_unknown_variants_400(reporter_client, visit):
    response = upload(reporter_client, visit, samples.jpeg_with_metadata(seed=41))  # no commit: stays pending
    pending_id = response.json()["id"]
    assert fetch(reporter_client, pending_id, "display").status_code == 404
    assert fetch(reporter_client, pending_id, "exif").status_code == 400
