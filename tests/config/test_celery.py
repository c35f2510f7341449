"""Celery's configuration is Django's CELERY_* settings."""
from django.conf import settings

from config.celery_app import app


def test_celery_reads_the_django_settings():
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_always_eager == settings.CELERY_TASK_ALWAYS_EAGER
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert app.conf.broker_transport_options == settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert set(app.conf.beat_schedule) == set(settings.CELERY_BEAT_SCHEDULE)
    # Options the settings leave alone keep Celery's defaults.
    assert app.conf.task_default_queue == "celery"
