"""The Celery application. Settings come from Django's (CELERY_* names)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("fieldsurvey")


@app.on_configure.connect
def _read_django_settings(sender, **kwargs):
    # Celery reads its configuration on every publish. A plain dict of the CELERY_* values,
    # read when Celery first needs them, answers those reads without going through
    # Django's settings proxy, where every option left at Celery's default costs a failed
    # attribute lookup.
    from django.conf import settings

    sender.config_from_object({name.removeprefix("CELERY_").lower(): getattr(settings, name)
                               for name in dir(settings) if name.startswith("CELERY_")})


app.autodiscover_tasks()
