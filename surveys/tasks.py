"""Celery tasks: thin wrappers that load ids and call a service.

Every task is safe to run twice (acks_late: a killed worker's message is
redelivered); the services claim their work with conditional updates.
"""
from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

# Broker, storage or database unreachable for a moment: retried with backoff.
TRANSIENT = (ConnectionError, TimeoutError, OSError, OperationalError, InterfaceError)
RETRIED = {"acks_late": True, "reject_on_worker_lost": True, "autoretry_for": TRANSIENT,
           "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 8}


@shared_task(**RETRIED)
def process_visit(visit_id: str, revision: int) -> str:
    from surveys.services.visit_processing import visit_process

    return visit_process(visit_id=visit_id, revision=revision)


@shared_task(**RETRIED)
def match_site(site_id: int) -> int:
    from surveys.services.matching import site_rematch

    return site_rematch(site_id=site_id)


# Time limits well inside PHOTO_LEASE_SECONDS: a live run never outlasts its lease.
@shared_task(bind=True, **RETRIED, soft_time_limit=90, time_limit=120)
def process_photo(self, photo_id: str) -> str:
    from surveys.services.photo_pipeline import PhotoLeased, photo_process

    try:
        return photo_process(photo_id=photo_id)
    except PhotoLeased as leased:  # a redelivery while a killed worker's lease still runs
        raise self.retry(countdown=leased.retry_in) from None


@shared_task(acks_late=True)
def requeue_stale_photos() -> int:
    from surveys.services.photo_pipeline import photos_requeue_stale

    return photos_requeue_stale()


@shared_task(acks_late=True)
def requeue_pending_visits() -> int:
    from surveys.services.visit_processing import visits_requeue_pending

    return visits_requeue_pending()


@shared_task(acks_late=True)
def purge_idempotency_keys() -> int:
    from surveys.services.idempotency import idempotency_purge_expired

    return idempotency_purge_expired()


@shared_task(**RETRIED)
def match_claim(claim_id: int) -> int:
    from surveys.services.matching import claim_rematch

    return claim_rematch(claim_id=claim_id)


# An export job may outlive the default time limit; its lease (see services/exports.py) is this limit.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=settings.EXPORT_JOB_TIME_LIMIT,
             soft_time_limit=settings.EXPORT_JOB_TIME_LIMIT - 60)
def run_export_job(job_id: str) -> str:
    from surveys.services.exports import export_job_run

    return export_job_run(job_id=job_id)


@shared_task(acks_late=True)
def expire_export_jobs() -> int:
    from surveys.services.exports import export_jobs_expire

    return export_jobs_expire()


@shared_task(acks_late=True)
def requeue_stale_export_jobs() -> int:
    from surveys.services.exports import export_jobs_requeue_stale

    return export_jobs_requeue_stale()


@shared_task(**RETRIED)
def link_site(site_id: int) -> int:
    from surveys.services.linking import site_link

    return site_link(site_id=site_id)
