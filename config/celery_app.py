"""The Celery application. Its settings are Django's CELERY_* settings, read through
Django's settings object, so `override_settings(CELERY_...)` reaches Celery too."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("fieldsurvey")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
