import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from surveys.errors import ImportFileError
from surveys.services.claims_import import claims_import


class Command(BaseCommand):
    help = "Import claims from a CSV or JSON-lines file; re-importing the same file creates nothing new."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="Username recorded as the claims' creator.")

    def handle(self, *args, file: Path, user, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user!r}.")
        try:
            with file.open("rb") as stream:
                report = claims_import(stream=stream, name=file.name, actor=actor)
        except (OSError, ImportFileError) as exc:
            raise CommandError(str(exc)) from None
        for error in report.errors:
            self.stderr.write(f"line {error['line']}: {json.dumps(error['errors'], ensure_ascii=False)}")
        self.stdout.write(f"{report.rows} rows: {report.created} created, {report.unchanged} already imported, "
                          f"{len(report.errors)} with errors")
        if report.errors:
            raise CommandError("Some rows were not imported (the valid ones were).")
