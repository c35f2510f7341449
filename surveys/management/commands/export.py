import contextlib
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from surveys.exports.columns import FORMATS
from surveys.filters import export_filters
from surveys.services.exports import export_write
from surveys.vocab import Metric, ReviewStatus


class Command(BaseCommand):
    help = ("Write an export (as the API's /exports/ endpoints) to a file or stdout, with a progress bar. "
            "Everything is exported unless --user names someone whose view (e.g. an exporter's) applies.")

    def add_arguments(self, parser):
        parser.add_argument("format", choices=sorted(FORMATS))
        parser.add_argument("--site", type=int)
        parser.add_argument("--since", help="A visit's started_at at or after (date or date-time).")
        parser.add_argument("--until", help="A visit's started_at before (date or date-time).")
        parser.add_argument("--status", choices=[s.value for s in ReviewStatus])
        parser.add_argument("--metric", choices=[m.value for m in Metric])
        parser.add_argument("--user", help="Export what this user may export (their role's policy).")
        parser.add_argument("--output", "-o", help="File to write (default: stdout).")
        parser.add_argument("--include-photos", action="store_true",
                            help="A ZIP with the export, approved display images and manifest.json (needs --output).")

    def handle(self, *args, **options):
        export = FORMATS[options["format"]]
        if options["include_photos"] and not options["output"]:
            raise CommandError("--include-photos writes a ZIP: give --output.")
        try:  # the API's filters, read by the same FilterSet
            filters = export_filters({name: options[name] for name in ("site", "since", "until", "status", "metric")
                                      if options[name] is not None})
        except ValidationError as error:
            raise CommandError("; ".join(f"--{field}: {' '.join(messages)}"
                                         for field, messages in error.message_dict.items())) from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        with tqdm(unit="row", file=sys.stderr, disable=None) as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            path = options["output"]
            with open(path, "wb") if path else contextlib.nullcontext(sys.stdout.buffer) as out:
                rows = export_write(export, user=user, filters=filters, out=out,
                                    include_photos=options["include_photos"], progress=progress)
        self.stderr.write(f"{rows} rows exported.")
