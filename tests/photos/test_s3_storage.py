"""The production storage path for real: django-storages' S3 backend against moto's S3 server
on loopback (path-style addressing), through the API, the worker pipeline and the file endpoint."""
import hashlib
import socket

import boto3
import pytest
from django.core.files.storage import default_storage

from surveys.models import Photo
from tests.imaging import samples

pytestmark = pytest.mark.django_db
BUCKET = "fieldsurvey-test"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    # Django's setting_changed handler for STORAGES resets `storages` and `default_storage`;
    # FileField.storage is that lazy default_storage, so Photo's files follow too.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "addressing_style": "path", "default_acl": "private",
        "querystring_auth": True, "file_overwrite": False, **CREDENTIALS}}}
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client, prefix="") -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []))


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_process_and_fetch_through_s3(bucket, reporter_client, editor_client, visit, upload_processed,
                                             process):
    from django.core.files.storage import storages
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage) and default_storage.bucket_name == BUCKET
    assert Photo._meta.get_field("original").storage is default_storage  # lazy: follows the setting
    data = samples.jpeg_with_metadata(seed=50)

    photo = upload_processed(reporter_client, visit, data)

    assert photo.status == "ready", photo.error
    assert keys(bucket) == sorted([photo.original.name, photo.display.name, photo.thumbnail.name])
    assert keys(bucket, "derived/") == sorted([photo.display.name, photo.thumbnail.name])
    stored = bucket.get_object(Bucket=BUCKET, Key=photo.original.name)["Body"].read()
    assert stored == data and hashlib.sha256(stored).hexdigest() == photo.sha256
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=photo.display.name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # private: the owner only

    display = reporter_client.get(f"/api/v1/photos/{photo.pk}/file/", {"variant": "display"})
    assert display.status_code == 200 and display["Content-Type"] == "image/jpeg"
    assert content(display) == bucket.get_object(Bucket=BUCKET, Key=photo.display.name)["Body"].read()
    original = editor_client.get(f"/api/v1/photos/{photo.pk}/file/", {"variant": "original"})
    assert original.status_code == 200 and content(original) == data

    Photo.objects.filter(pk=photo.pk).update(status="pending")  # reprocess: still one set in the bucket
    assert process(photo.pk) == "ready"
    photo.refresh_from_db()
    assert keys(bucket, "derived/") == sorted([photo.display.name, photo.thumbnail.name])
