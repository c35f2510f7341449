"""Task messages the broker refused after commit: kept in the database, sent again by a sweep.

The write a message follows has committed by then, so the request that made it must
still succeed; what is lost is only the message. It is kept as an UnsentTask row and
the beat sweep (every TASK_RESEND_SECONDS) sends it once the broker answers again.
Every task is safe to run twice, so a message sent both ways costs a no-op run.
"""
import logging

from celery import current_app

from surveys.models import UnsentTask

log = logging.getLogger(__name__)


def unsent_task_keep(*, task: str, args: tuple, kwargs: dict) -> None:
    try:
        UnsentTask.objects.create(task=task, args=list(args), kwargs=kwargs)
    except Exception:  # the database is away too: the stale-work sweeps are the last resort
        log.exception("could not keep the unsent task %s%r", task, args)


def unsent_tasks_resend(*, limit: int = 500) -> int:
    """Send kept messages in their order; stop at the first the broker still refuses."""
    sent = 0
    for unsent in UnsentTask.objects.order_by("id")[:limit]:
        try:
            current_app.tasks[unsent.task].apply_async(unsent.args, unsent.kwargs)
        except Exception:
            log.warning("the broker still refuses %s; %d sent this sweep", unsent.task, sent, exc_info=True)
            break
        unsent.delete()  # (a concurrent sweep may have sent it too: a duplicate run is a no-op)
        sent += 1
    return sent
