"""Photo intake: judge the upload by its bytes, store it, then create the row.

Decoding here is only a check (JPEG at 1/8 scale, by the worker's decoder under the
same limits): the real work (EXIF evidence,
derivatives, flags) happens in a worker, see `photo_pipeline.py`.
"""
import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from surveys import tasks
from surveys.errors import ClientIdConflict, UploadRejected, too_large_message
from surveys.models import Photo
from surveys.services.common import insert_unless_taken

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}


@dataclass(frozen=True)
class CheckedUpload:
    format: str
    sha256: str
    size: int
    width: int
    height: int


def sniff_format(head: bytes) -> str | None:
    """The image type the bytes say, whatever the name or Content-Type claim."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(box_size, len(head)), 4)}
        if brands & _HEIF_BRANDS and b"avif" not in brands:
            return "heic"
    return None


def file_sha256(upload) -> str:
    cached = getattr(upload, "_sha256", None)
    if cached:
        return cached
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    upload._sha256 = digest.hexdigest()
    return upload._sha256


def decode_limits():
    """The limits every decode of an untrusted image obeys, web process and worker alike."""
    from surveys.imaging.decode import DecodeLimits

    return DecodeLimits(max_pixels=settings.PHOTO_MAX_PIXELS, max_decoded_bytes=settings.PHOTO_MAX_DECODED_BYTES)


def _decode_check(upload) -> tuple[int, int]:
    """The upload's pixels decoded by the worker's decoder under the same limits (a JPEG
    at 1/8 scale), so what is accepted here is what the worker can process."""
    from surveys.imaging import decode
    from surveys.imaging.errors import UndecodableImage

    upload.seek(0)
    try:
        opened = decode.check(upload.read(), decode_limits())
    except UndecodableImage as exc:
        raise UploadRejected(str(exc)) from None
    finally:
        upload.seek(0)
    return opened.image.size


def upload_check(upload) -> CheckedUpload:
    """Accept JPEG, PNG, WebP and HEIC that really decode; everything else is refused."""
    if upload.size == 0:
        raise UploadRejected("The file is empty.")
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise UploadRejected(too_large_message(settings.PHOTO_MAX_BYTES), status=413)
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    image_format = sniff_format(head)
    if image_format is None:
        raise UploadRejected("Unsupported file type: only JPEG, PNG, WebP and HEIC images are accepted.", status=415)
    width, height = _decode_check(upload)
    return CheckedUpload(format=image_format, sha256=file_sha256(upload), size=upload.size, width=width, height=height)


def photo_files_delete_on_commit(photos: list[Photo]) -> None:
    names = [f.name for photo in photos for f in (photo.original, photo.display, photo.thumbnail) if f]
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def photo_create(*, visit, client_id: uuid.UUID | None, upload, caption: str = "") -> tuple[Photo, bool]:
    """Store the original, then insert its row; a failure in either leaves neither.

    The client id arbitrates retries as for visits: the same id with the same file
    and caption returns the existing photo.
    """
    checked = upload_check(upload)
    if client_id is not None:
        existing = Photo.objects.select_related("visit").filter(pk=client_id).first()
        if existing is not None:
            return _existing_or_conflict(existing, visit=visit, sha256=checked.sha256, caption=caption), False

    photo = Photo(
        id=client_id or uuid.uuid4(), visit=visit, caption=caption, original_format=checked.format,
        original_size=checked.size, sha256=checked.sha256, width=checked.width, height=checked.height,
    )
    photo.original.save("original", upload, save=False)
    stored = False
    try:
        with transaction.atomic(savepoint=False):
            inserted = insert_unless_taken(photo)
            if inserted:
                tasks.process_photo.delay_on_commit(str(photo.pk))
        stored = inserted
    finally:
        if not stored:  # a failure, or a concurrent retry of this id got there first
            default_storage.delete(photo.original.name)
    if not stored:
        existing = Photo.objects.select_related("visit").filter(pk=photo.pk).first()
        if existing is None:
            raise ClientIdConflict()
        return _existing_or_conflict(existing, visit=visit, sha256=checked.sha256, caption=caption), False
    return photo, True


def _existing_or_conflict(existing: Photo, *, visit, sha256: str, caption: str) -> Photo:
    if existing.visit_id != visit.pk or existing.sha256 != sha256 or existing.caption != caption:
        raise ClientIdConflict()
    return existing
