"""Print what the engine reads in a text, to try a sentence from the command line.

    python manage.py extract "门卫说园区里实际只有几十家企业" --date 2025-10-14
    python manage.py extract "will employ 2,500 people by 2027" --json
"""
import json
from dataclasses import asdict
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from surveys.selectors.extraction import MAX_TEXT, sentence_reading
from surveys.web.presenters import fact_line


class Command(BaseCommand):
    help = "Print every fact the engine reads in TEXT (as notes), and the one fact it makes as a claim."

    def add_arguments(self, parser):
        parser.add_argument("text")
        parser.add_argument("--date", dest="reference_date",
                            help="reference date for relative dates, YYYY-MM-DD (default: today)")
        parser.add_argument("--json", dest="as_json", action="store_true", help="print the reading as JSON")

    def handle(self, *args, text, reference_date=None, as_json=False, **options):
        if len(text) > MAX_TEXT:
            raise CommandError(f"the text is longer than {MAX_TEXT} characters")
        try:
            on = date.fromisoformat(reference_date) if reference_date else date.today()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {reference_date!r}") from None
        reading = sentence_reading(text=text, reference_date=on)
        if as_json:
            self.stdout.write(json.dumps(asdict(reading), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Read against {reading.reference_date}:")
        for fact in reading.facts:
            self.stdout.write(f"  {fact_line(fact)}")
        if not reading.facts:
            self.stdout.write("  nothing")
        self.stdout.write(f"As a claim: {fact_line(reading.claim) if reading.claim else reading.claim_problem}")
