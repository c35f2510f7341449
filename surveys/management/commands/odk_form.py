"""Print the site-visit form as phones get it: the XLSForm workbook (markdown), the XForm, or sites.csv."""
from django.core.management.base import BaseCommand

from surveys.odk.form import workbook
from surveys.selectors.odk import current_form, form_choices


class Command(BaseCommand):
    help = "Print the site-visit XLSForm (default), its XForm (--xform) or its sites.csv (--media)."

    def add_arguments(self, parser):
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--xform", action="store_true", help="the XForm XML served to phones")
        output.add_argument("--media", action="store_true", help="sites.csv, generated from the Site table")

    def handle(self, *args, xform: bool, media: bool, **options):
        form = current_form()
        if xform:
            self.stdout.write(form.xml.decode())
        elif media:
            self.stdout.write(form.media.decode(), ending="")
        else:
            self.stdout.write(workbook(form_choices(), form.version))
