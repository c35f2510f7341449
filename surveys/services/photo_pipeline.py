"""Photo processing in a worker: lease, evidence, derivatives, reuse lookup, flags.

Safe to run twice and to be killed at any point:
- A run first claims the row with a compare-and-set (pending, lease free or expired ->
  claimed_at=now). Two live workers never both hold it; a killed worker's lease expires
  after PHOTO_LEASE_SECONDS and the redelivered message (acks_late) or the beat sweep
  picks the row up.
- Derivatives go under fresh random keys in the photo's own folder
  (``derived/<photo id>/<random>.jpg``). The final compare-and-set, guarded by the
  claimed_at this run wrote, swaps them in; then everything else in that folder (an
  earlier set, or files of a run killed before its update) is deleted. A run that lost
  its lease deletes its own files instead.
- Undecodable files end ``failed`` with a readable error; storage and database outages
  raise PhotoTransientError (a ConnectionError) for the task's retry with backoff.
"""
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from surveys import tasks
from surveys.models import Photo
from surveys.services import outbox
from surveys.vocab import PhotoStatus

log = logging.getLogger(__name__)

#: Runs interrupted this many times (killed worker, time limit, bug) end ``failed``.
MAX_ATTEMPTS = 5


class PhotoTransientError(ConnectionError):
    """Storage or database unavailable: retry later (tasks retry ConnectionError)."""


class PhotoLeased(Exception):
    """Another run holds the lease; try again once it could have expired."""

    def __init__(self, retry_in: float):
        super().__init__(f"leased, retry in {retry_in:.0f} s")
        self.retry_in = retry_in


def _transient_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, OSError)
    try:  # only installed with the S3 backend
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        return errors
    return errors + (BotoCoreError, ClientError)


def photo_process(*, photo_id) -> str:
    """Process one photo. Returns "ready", "failed" or why nothing was done.

    ``attempts`` counts claims minus runs that handed the lease back after an outage,
    so a photo that keeps killing or timing out its worker ends ``failed``, while a
    storage outage only delays it.
    """
    from surveys.imaging.errors import UndecodableImage

    transient = _transient_errors()
    try:
        lease = _claim(photo_id)
        if lease is None:
            return _why_not_claimed(photo_id)
        photo = Photo.objects.select_related("visit__site").get(pk=photo_id)
    except transient as exc:
        raise PhotoTransientError(f"{type(exc).__name__}: {exc}") from exc
    if photo.attempts > MAX_ATTEMPTS:
        _fail(photo, lease, f"Processing was interrupted {MAX_ATTEMPTS} times; giving up.")
        return "failed"
    try:
        return _run(photo, lease)
    except UndecodableImage as exc:
        _fail(photo, lease, str(exc))
        return "failed"
    except FileNotFoundError:
        _fail(photo, lease, "The original file is missing from storage.")
        return "failed"
    except transient as exc:
        _release(photo, lease)  # the retry claims it at once; this run does not count
        raise PhotoTransientError(f"{type(exc).__name__}: {exc}") from exc
    # Anything else (a bug, the soft time limit) keeps the lease until it expires: the
    # sweep re-queues the photo and MAX_ATTEMPTS bounds the loop.


def _claim(photo_id):
    """Compare-and-set the lease; returns its token (the claimed_at written) or None."""
    now = timezone.now()
    expired = now - timedelta(seconds=settings.PHOTO_LEASE_SECONDS)
    claimed = Photo.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=expired), pk=photo_id, status=PhotoStatus.PENDING,
    ).update(claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    return now if claimed else None


def _why_not_claimed(photo_id) -> str:
    row = Photo.objects.filter(pk=photo_id).values("status", "claimed_at").first()
    if row is None:
        return "gone"
    if row["status"] != PhotoStatus.PENDING:
        return row["status"]  # already processed: a duplicate message
    if row["claimed_at"] is None:  # released since our claim was refused
        raise PhotoLeased(1.0)
    age = (timezone.now() - row["claimed_at"]).total_seconds()
    raise PhotoLeased(max(1.0, settings.PHOTO_LEASE_SECONDS - age + 1))


def _run(photo: Photo, lease) -> str:
    from surveys.imaging.errors import UndecodableImage
    from surveys.imaging.original import process_original
    from surveys.services.photos import decode_limits

    with photo.original.storage.open(photo.original.name, "rb") as stream:
        data = stream.read()
    processed = process_original(data, limits=decode_limits(), site_tz=photo.visit.site.timezone,
                                 blur_faces=settings.PHOTO_BLUR_FACES)
    del data
    evidence, derivatives = processed.evidence, processed.derivatives
    if evidence.sha256 != photo.sha256:
        raise UndecodableImage("The stored original does not match the uploaded file (sha256 differs).")
    names = _save_derivatives(photo, derivatives)
    if settings.PHOTO_TEST_DELAY_SECONDS:  # test-only: leaves time to kill the worker here
        time.sleep(settings.PHOTO_TEST_DELAY_SECONDS)
    try:
        flags, distance_m = _flags(photo, evidence, derivatives.fingerprints)
        fp = derivatives.fingerprints
        with transaction.atomic():
            done = Photo.objects.filter(pk=photo.pk, status=PhotoStatus.PENDING, claimed_at=lease).update(
                status=PhotoStatus.READY, error="", claimed_at=None, updated_at=timezone.now(),
                display=names["display"], thumbnail=names["thumbnail"],
                width=evidence.width, height=evidence.height, taken_at=evidence.taken_at,
                taken_at_has_offset=evidence.taken_at_has_offset, latitude=evidence.latitude,
                longitude=evidence.longitude, gps_time=evidence.gps_time, camera_make=evidence.make[:120],
                camera_model=evidence.model[:120], software=evidence.software[:200], evidence=evidence.as_dict(),
                phash=fp.phash, dhash=fp.dhash, hash_variants=list(fp.variants), distance_m=distance_m,
                flags=[f.flag.value for f in flags], flag_details={f.flag.value: f.details for f in flags},
                faces_blurred=derivatives.faces_blurred,
            )
            if done:
                keep = set(names.values())
                transaction.on_commit(lambda: _delete_derived_except(photo, keep))
                outbox.emit("photo.ready", photo)
    except BaseException:
        _delete_quietly(photo, names.values())
        raise
    if not done:  # the lease expired and another run took over: it owns the result
        _delete_quietly(photo, names.values())
        return "lease lost"
    return "ready"


def _save_derivatives(photo: Photo, derivatives) -> dict[str, str]:
    storage = photo.display.storage
    names: dict[str, str] = {}
    try:
        for variant, content in (("display", derivatives.display), ("thumbnail", derivatives.thumbnail)):
            key = f"{_derived_folder(photo)}/{uuid.uuid4().hex}.jpg"  # random: not guessable
            names[variant] = storage.save(key, ContentFile(content))
    except BaseException:
        _delete_quietly(photo, names.values())
        raise
    return names


def _derived_folder(photo: Photo) -> str:
    return f"derived/{photo.pk}"


def _delete_derived_except(photo: Photo, keep: set[str]) -> None:
    """One set of derivatives per photo: drop earlier sets and a killed run's files."""
    storage, folder = photo.display.storage, _derived_folder(photo)
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        files = []
    stale = {f"{folder}/{name}" for name in files} - keep
    stale |= {f.name for f in (photo.display, photo.thumbnail) if f and f.name not in keep}
    _delete_quietly(photo, stale)


def _delete_quietly(photo: Photo, names) -> None:
    for name in names:
        try:
            photo.display.storage.delete(name)
        except Exception:  # a leftover file is harmless; the next run's cleanup retries it
            log.warning("could not delete derivative %s", name, exc_info=True)


def _fail(photo: Photo, lease, error: str) -> None:
    Photo.objects.filter(pk=photo.pk, status=PhotoStatus.PENDING, claimed_at=lease).update(
        status=PhotoStatus.FAILED, error=error[:2000], claimed_at=None, updated_at=timezone.now())


def _release(photo: Photo, lease) -> None:
    try:
        Photo.objects.filter(pk=photo.pk, claimed_at=lease).update(claimed_at=None, attempts=F("attempts") - 1)
    except Exception:  # the database is what failed: the lease will expire instead
        log.warning("could not release the lease of photo %s", photo.pk, exc_info=True)


# ------------------------------------------------------------------ flags and reuse
def _flags(photo: Photo, evidence, fingerprints):
    from surveys.imaging.flags import evaluate_flags

    visit, site = photo.visit, photo.visit.site
    return evaluate_flags(
        evidence, site_lat=site.latitude, site_lon=site.longitude, site_radius_m=site.radius_m,
        visit_start=visit.started_at, visit_end=visit.ended_at,
        distance_tolerance_m=settings.PHOTO_DISTANCE_TOLERANCE_M, time_tolerance=settings.PHOTO_TIME_TOLERANCE,
        reuse_matches=reuse_matches(photo=photo, fingerprints=fingerprints),
    )


def reuse_matches(*, photo: Photo, fingerprints) -> list[tuple[uuid.UUID, int]]:
    """(photo id, reuse_distance) of processed photos of OTHER visits within REUSE_THRESHOLD.

    Only ready photos with hashes are read, and only their id and hashes. On PostgreSQL
    the whole test runs in SQL: the Hamming distance of the 64-bit hex hashes via
    bit_count(), with the same three comparisons as reuse_distance() (phash, dhash, phash
    against the candidate's rotated/mirrored variants), so only true matches come back.
    That is a sequential scan over small columns, a few ms per 10^4 photos; a much larger
    archive would want a multi-index hash table (11 chunk columns, pigeonhole) instead.
    SQLite (the laptop default) streams the hashes and compares them in Python.
    """
    from surveys.imaging.fingerprints import REUSE_THRESHOLD, Fingerprints, reuse_distance

    candidates = (Photo.objects.filter(status=PhotoStatus.READY).exclude(visit_id=photo.visit_id)
                  .exclude(pk=photo.pk).exclude(phash="").exclude(dhash=""))
    if connection.vendor == "postgresql":
        candidates = candidates.alias(near=RawSQL(_PG_NEAR, [
            fingerprints.phash, REUSE_THRESHOLD, fingerprints.dhash, REUSE_THRESHOLD,
            fingerprints.phash, REUSE_THRESHOLD,
        ])).filter(near=True)
    matches = []
    for pk, phash, dhash, variants in candidates.values_list("pk", "phash", "dhash", "hash_variants").iterator(
            chunk_size=2000):
        distance = reuse_distance(fingerprints, Fingerprints(phash, dhash, tuple(variants or ())))
        if distance <= REUSE_THRESHOLD:
            matches.append((pk, distance))
    return matches


def _hamming_sql(column: str) -> str:
    return f"bit_count(('x' || {column})::bit(64) # ('x' || %s)::bit(64))"


_PG_NEAR = (
    "length(phash) = 16 AND length(dhash) = 16 AND ("
    f"{_hamming_sql('phash')} <= %s OR {_hamming_sql('dhash')} <= %s OR EXISTS ("
    "SELECT 1 FROM jsonb_array_elements_text(hash_variants) AS v(hash) "
    f"WHERE length(v.hash) = 16 AND {_hamming_sql('v.hash')} <= %s))"
)


# ------------------------------------------------------------------ sweep
def photos_requeue_stale(*, limit: int = 1000) -> int:
    """Beat sweep: re-queue pending photos whose lease expired (killed worker) or that
    nobody claimed for PHOTO_REQUEUE_AFTER (a lost message). The lease makes duplicates harmless."""
    now = timezone.now()
    stale = Photo.objects.filter(
        Q(claimed_at__lt=now - timedelta(seconds=settings.PHOTO_LEASE_SECONDS))
        | Q(claimed_at__isnull=True, updated_at__lt=now - settings.PHOTO_REQUEUE_AFTER),
        status=PhotoStatus.PENDING,
    ).order_by("created_at")
    ids = [str(pk) for pk in stale.values_list("pk", flat=True)[:limit]]
    for photo_id in ids:
        tasks.process_photo.delay(photo_id)
    return len(ids)


def photo_reprocess_reset(*, photo_id) -> bool:
    """Put a photo back to pending for a fresh run (reprocess_photos). A photo whose
    lease is live is left alone: resetting it would let a second worker start."""
    now = timezone.now()
    return bool(Photo.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - timedelta(seconds=settings.PHOTO_LEASE_SECONDS)),
        pk=photo_id,
    ).update(status=PhotoStatus.PENDING, error="", claimed_at=None, attempts=0, updated_at=now))
