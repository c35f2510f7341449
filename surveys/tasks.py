"""Celery tasks: thin wrappers that load ids and call a service.

Services import this module and enqueue with `task.delay_on_commit(...)`; the tasks
import the services they call inside the task, so imports run one way only.

Every task is safe to run twice (acks_late: a killed worker's message is
redelivered); the services claim their work with conditional updates.
"""
import logging
from functools import partial

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

log = logging.getLogger(__name__)

# Broker, storage or database unreachable for a moment: retried with backoff.
TRANSIENT = (ConnectionError, TimeoutError, OSError, OperationalError, InterfaceError)
RETRIED = {"acks_late": True, "reject_on_worker_lost": True, "autoretry_for": TRANSIENT,
           "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 8}


class Task(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        """Send the message once the transaction commits, and never raise from there.

        The write has committed when the message goes out: a broker that refuses it
        then must not turn a stored visit or photo into a 5xx (or into a cleanup of
        its files). The message is kept for the resend sweep instead.
        """
        transaction.on_commit(partial(self._send_committed, args, kwargs))

    def _send_committed(self, args: tuple, kwargs: dict) -> None:
        try:
            self.apply_async(args, kwargs)
        except Exception:
            from surveys.services.unsent import unsent_task_keep

            log.warning("the broker refused %s%r after commit; kept for the resend sweep", self.name, args,
                        exc_info=True)
            unsent_task_keep(task=self.name, args=args, kwargs=kwargs)


task = partial(shared_task, base=Task)


@task(**RETRIED)
def process_visit(visit_id: str, revision: int) -> str:
    from surveys.services.visit_processing import visit_process

    return visit_process(visit_id=visit_id, revision=revision)


@task(**RETRIED)
def match_site(site_id: int) -> int:
    from surveys.services.matching import site_rematch

    return site_rematch(site_id=site_id)


# Time limits well inside PHOTO_LEASE_SECONDS: a live run never outlasts its lease.
@task(bind=True, **RETRIED, soft_time_limit=90, time_limit=120)
def process_photo(self, photo_id: str) -> str:
    from surveys.services.photo_pipeline import PhotoLeased, photo_process

    try:
        return photo_process(photo_id=photo_id)
    except PhotoLeased as leased:  # a redelivery while a killed worker's lease still runs
        raise self.retry(countdown=leased.retry_in) from None


@task(**RETRIED)
def match_claim(claim_id: int) -> int:
    from surveys.services.matching import claim_rematch

    return claim_rematch(claim_id=claim_id)


@task(**RETRIED)
def link_site(site_id: int) -> int:
    from surveys.services.linking import site_link

    return site_link(site_id=site_id)


# An export job may outlive the default time limit; its lease (see services/exports.py) is this limit.
@task(acks_late=True, reject_on_worker_lost=True, time_limit=settings.EXPORT_JOB_TIME_LIMIT,
      soft_time_limit=settings.EXPORT_JOB_TIME_LIMIT - 60)
def run_export_job(job_id: str) -> str:
    from surveys.services.exports import export_job_run

    return export_job_run(job_id=job_id)


@task(**RETRIED)
def deliver_outbox(event_ids: list[str]) -> int:
    from surveys.services.outbox import outbox_deliver

    return outbox_deliver(event_ids=event_ids)


# ------------------------------------------------------------------ beat sweeps
@task(acks_late=True)
def deliver_outbox_due() -> int:
    from surveys.services.outbox import outbox_deliver_due

    return outbox_deliver_due()


@task(acks_late=True)
def resend_unsent_tasks() -> int:
    from surveys.services.unsent import unsent_tasks_resend

    return unsent_tasks_resend()


@task(acks_late=True)
def purge_outbox() -> int:
    from surveys.services.outbox import outbox_purge

    return outbox_purge()


@task(acks_late=True)
def requeue_stale_photos() -> int:
    from surveys.services.photo_pipeline import photos_requeue_stale

    return photos_requeue_stale()


@task(acks_late=True)
def requeue_pending_visits() -> int:
    from surveys.services.visit_processing import visits_requeue_pending

    return visits_requeue_pending()


@task(acks_late=True)
def requeue_stale_export_jobs() -> int:
    from surveys.services.exports import export_jobs_requeue_stale

    return export_jobs_requeue_stale()


@task(acks_late=True)
def expire_export_jobs() -> int:
    from surveys.services.exports import export_jobs_expire

    return export_jobs_expire()


@task(acks_late=True)
def purge_idempotency_keys() -> int:
    from surveys.services.idempotency import idempotency_purge_expired

    return idempotency_purge_expired()
