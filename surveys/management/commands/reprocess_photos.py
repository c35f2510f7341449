import sys
import uuid

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from surveys import tasks
from surveys.models import Photo
from surveys.services.photo_pipeline import photo_reprocess_reset
from surveys.vocab import PhotoStatus


class Command(BaseCommand):
    help = ("Reset photos to pending and run the pipeline on them again (queued to the workers, "
            "or in this process in the embedded default). Safe to repeat: each photo keeps one set "
            "of derivatives, and photos a worker is processing right now are skipped.")

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="Only photos whose processing failed.")
        parser.add_argument("--visit", help="Only the photos of this visit (its id).")

    def handle(self, *args, failed=False, visit=None, **options):
        photos = Photo.objects.order_by("created_at", "id")
        if failed:
            photos = photos.filter(status=PhotoStatus.FAILED)
        if visit:
            try:
                photos = photos.filter(visit_id=uuid.UUID(visit))
            except ValueError:
                raise CommandError(f"--visit must be a visit id (UUID), got {visit!r}") from None
        ids = list(photos.values_list("pk", flat=True))
        queued = skipped = 0
        for photo_id in tqdm(ids, desc="photos", unit="photo", file=sys.stderr):
            if photo_reprocess_reset(photo_id=photo_id):
                tasks.process_photo.delay(str(photo_id))
                queued += 1
            else:
                skipped += 1
        self.stdout.write(f"{queued} photos queued for processing, {skipped} skipped (being processed).")
