"""The desk's "try a sentence" page: an editor types a claim or a note and sees what the engine
reads in it, before trusting it with real claims. A GET form, so a reading can be linked."""
from datetime import date

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.selectors.extraction import MAX_TEXT, sentence_reading
from surveys.web.presenters import reading_rows
from surveys.web.views import editors_only


class TrySentenceForm(forms.Form):
    text = forms.CharField(label=_("Sentence"), max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("e.g. The plant will employ 2,500 people by 2027.")}))
    date = forms.DateField(label=_("Read dates against"), required=False,
                           help_text=_("Publication or visit date, YYYY-MM-DD; today when empty."),
                           widget=forms.DateInput(attrs={"type": "date"}))


@editors_only
def try_sentence(request):
    form = TrySentenceForm(request.GET or None)
    reading = None
    if form.is_valid():
        on: date = form.cleaned_data["date"] or timezone.localdate()
        reading = sentence_reading(text=form.cleaned_data["text"], reference_date=on)
    return render(request, "desk/try_sentence.html", {
        "form": form, "reading": reading, "rows": reading_rows(reading.facts) if reading else [],
        "claim_row": reading_rows([reading.claim])[0] if reading and reading.claim else None,
    })
