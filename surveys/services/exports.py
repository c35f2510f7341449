"""Export jobs: large or bundled exports written by a worker, downloaded later, then expired.

A job is claimed with a compare-and-set update (pending, or running under a lease
older than the task's time limit), so a redelivered or requeued task never runs
beside a live one; only the run holding the claim may finish it.
"""
import hashlib
import json
import logging
import tempfile
import zipfile
from datetime import timedelta
from typing import BinaryIO, Callable

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from surveys import tasks
from surveys.exports.columns import ExportFormat
from surveys.models import ExportJob
from surveys.selectors.exports import (
    ExportFilters, export_count, export_format, export_photos, export_stream,
)
from surveys.selectors.policy import is_restricted

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1000  # rows between two progress writes
State = ExportJob.State


def export_job_create(*, user, export: ExportFormat, filters: ExportFilters, include_photos: bool) -> ExportJob:
    job = ExportJob(requested_by=user, format=export.name, filters=filters.to_json(), include_photos=include_photos)
    job.full_clean()
    job.save()
    tasks.run_export_job.delay_on_commit(str(job.pk))
    return job


def export_filename(export: ExportFormat, *, include_photos: bool) -> str:
    return f"{export.name.rsplit('.', 1)[0]}.zip" if include_photos else export.name


def export_write(export: ExportFormat, *, user, filters: ExportFilters, out: BinaryIO, include_photos: bool = False,
                 progress: Callable[[int, int], None] | None = None, copy: bool = True) -> int:
    """Write an export, or a ZIP of it with approved photos and a manifest, to `out`.

    `progress(done, total)` is called every PROGRESS_EVERY rows and once at the
    end (photos count as rows); see export_stream for `copy`. Returns the number
    of rows written.
    """
    photos = export_photos(user=user, filters=filters) if include_photos else None
    total = export_count(export, user=user, filters=filters) + (photos.count() if photos is not None else 0)
    report = (lambda done: progress(done, total)) if progress else None
    rows = 0

    def count_rows(done: int) -> None:
        nonlocal rows
        rows = done
        if report:
            report(done)

    stream = export_stream(export, user=user, filters=filters, progress=count_rows, every=PROGRESS_EVERY, copy=copy)
    if photos is None:
        for chunk in stream:
            out.write(chunk)
        return rows
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open(export.name, "w", force_zip64=True) as member:
            for chunk in stream:
                member.write(chunk)
        entries = _write_photos(bundle, photos, done=rows, report=report)
        manifest = {
            "format": export.name, "filters": filters.to_json(), "generated_at": timezone.now().isoformat(),
            "generated_by": settings.NEWSROOM_NAME,
            "policy": "exporter" if user is not None and is_restricted(user) else "full",
            "files": [{"name": export.name, "rows": rows}], "photos": entries,
        }
        bundle.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return rows


def _write_photos(bundle: zipfile.ZipFile, photos, *, done: int, report) -> list[dict]:
    entries = []
    for photo_id, visit_id, site_id, caption, display in photos.values_list(
            "id", "visit_id", "visit__site_id", "caption", "display").iterator(chunk_size=500):
        name = f"photos/{photo_id}.jpg"
        digest = hashlib.sha256()
        # JPEGs do not deflate: store them.
        with default_storage.open(display, "rb") as source, \
                bundle.open(zipfile.ZipInfo(name), "w") as target:
            while block := source.read(1024 * 1024):
                digest.update(block)
                target.write(block)
        entries.append({"id": str(photo_id), "visit": str(visit_id), "site": site_id, "caption": caption,
                        "file": name, "sha256": digest.hexdigest()})
        done += 1
        if report and done % PROGRESS_EVERY == 0:
            report(done)
    if report:
        report(done)
    return entries


def _lease() -> timedelta:
    return timedelta(seconds=settings.EXPORT_JOB_TIME_LIMIT)


def export_job_run(*, job_id) -> str:
    """Run a job to completion. Safe to call twice: the second call finds it claimed."""
    now = timezone.now()
    claimable = Q(status=State.PENDING) | Q(status=State.RUNNING, claimed_at__lt=now - _lease())
    if not ExportJob.objects.filter(claimable, pk=job_id).update(
            status=State.RUNNING, claimed_at=now, rows=0, progress=0, error=""):
        return "skipped"
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    mine = ExportJob.objects.filter(pk=job.pk, status=State.RUNNING, claimed_at=now)
    export = export_format(job.format)

    def progress(done: int, total: int) -> None:
        mine.update(rows=done, total=total, progress=round(100 * done / total, 1) if total else 100)

    try:
        with tempfile.TemporaryFile() as scratch:
            rows = export_write(export, user=job.requested_by, filters=ExportFilters.from_json(job.filters),
                                out=scratch, include_photos=job.include_photos, progress=progress,
                                copy=False)  # the progress writes need the connection
            scratch.seek(0)
            filename = export_filename(export, include_photos=job.include_photos)
            name = default_storage.save(f"exports/{job.pk}/{filename}", File(scratch))
    except Exception as exc:  # the job records the failure; the worker carries on
        log.exception("export job %s failed", job.pk)
        mine.update(status=State.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now())
        return "failed"
    finished = timezone.now()
    if not mine.update(status=State.DONE, result=name, rows=rows, progress=100, finished_at=finished,
                       expires_at=finished + settings.EXPORT_JOB_TTL):
        default_storage.delete(name)  # the lease ran out and another run took the job over
        return "superseded"
    return "done"


def export_jobs_expire() -> int:
    """Finished jobs past their expiry: marked expired first, so a download never meets a missing file."""
    expired = 0
    for job in ExportJob.objects.filter(status=State.DONE, expires_at__lte=timezone.now()).only("pk", "result"):
        if ExportJob.objects.filter(pk=job.pk, status=State.DONE).update(status=State.EXPIRED, result=""):
            if job.result:
                default_storage.delete(job.result.name)
            expired += 1
    return expired


def export_jobs_requeue_stale() -> int:
    """Jobs whose worker died (running past the lease) or whose message was lost (pending for a while)."""
    now = timezone.now()
    stale = ExportJob.objects.filter(Q(status=State.RUNNING, claimed_at__lt=now - _lease())
                                     | Q(status=State.PENDING, created_at__lt=now - timedelta(minutes=10)))
    job_ids = [str(pk) for pk in stale.values_list("pk", flat=True)]
    for job_id in job_ids:
        tasks.run_export_job.delay(job_id)
    return len(job_ids)
