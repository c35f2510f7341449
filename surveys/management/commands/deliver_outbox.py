import time

from django.conf import settings
from django.core.management.base import BaseCommand

from surveys.services.outbox import outbox_deliver_due


class Command(BaseCommand):
    help = ("Send the outbox's due mails and webhooks (retries, digests, lost messages) once, or every "
            "OUTBOX_SWEEP_SECONDS with --loop: the beat sweep, for an install without celery beat.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until interrupted.")

    def handle(self, *args, loop, **options):
        while True:
            sent = outbox_deliver_due()
            if sent or not loop:
                self.stdout.write(f"{sent} sent")
            if not loop:
                return
            time.sleep(settings.OUTBOX_SWEEP_SECONDS)
