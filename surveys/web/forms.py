import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from surveys.exports.columns import FORMATS
from surveys.models import Discrepancy
from surveys.selectors.exports import ExportFilters
from surveys.vocab import Metric, ReviewStatus, Role
from surveys.web.formatting import tzinfo_for

# What an editor may decide; `resolved` is the system's.
DECISIONS = [
    (ReviewStatus.CONFIRMED.value, _("Confirm")),
    (ReviewStatus.DISMISSED.value, _("Dismiss")),
    (ReviewStatus.NEEDS_FOLLOWUP.value, _("Ask for follow-up")),
    (ReviewStatus.OPEN.value, _("Reopen")),
]
# After these the desk moves on to the next item of the queue.
MOVES_ON = {ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED, ReviewStatus.NEEDS_FOLLOWUP}


def editors():
    return (get_user_model().objects.filter(Q(groups__name__in=[Role.EDITOR, Role.ADMIN]) | Q(is_superuser=True))
            .distinct().order_by("username"))


class ReviewForm(forms.Form):
    status = forms.ChoiceField(choices=DECISIONS)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=editors(), required=False, to_field_name="username",
                                      empty_label=_("Nobody"), label=_("Assignee"))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class RejectObservationForm(forms.Form):
    rejected = forms.BooleanField(required=False)


class LinkDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(choices=[("1", "accept"), ("0", "reject")], coerce=lambda value: value == "1")


class ApprovePhotoForm(forms.Form):
    approved = forms.TypedChoiceField(choices=[("1", "approve"), ("0", "withdraw")], coerce=lambda value: value == "1")


class RejectPhotoForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class BulkForm(forms.Form):
    ASSIGN = "assign"
    DISMISS_DUPLICATE = "dismiss_duplicate"

    action = forms.ChoiceField(choices=[(ASSIGN, _("Assign")), (DISMISS_DUPLICATE, _("Dismiss as duplicate"))])
    ids = forms.ModelMultipleChoiceField(queryset=Discrepancy.objects.all())
    assignee = forms.ModelChoiceField(queryset=editors(), required=False, to_field_name="username")
    note = forms.CharField(max_length=5000, required=False)
    confirmed = forms.BooleanField(required=False)


def _midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the desk's zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo_for(None))


class ExportFiltersForm(forms.Form):
    """The exports page's filters, as the export API takes them (dates in the desk's zone)."""

    site = forms.IntegerField(min_value=1, required=False)
    since = forms.DateField(required=False, label=_("Visits from"))
    until = forms.DateField(required=False, label=_("Visits until (inclusive)"))
    status = forms.ChoiceField(choices=[("", "")] + [(s.value, s.value) for s in ReviewStatus], required=False)
    metric = forms.ChoiceField(choices=[("", "")] + [(m.value, m.value) for m in Metric], required=False)

    def export_filters(self) -> ExportFilters:
        """The filters as exports take them: a visit's start from the first day's midnight in the desk's
        zone, until the midnight after the last day (exclusive)."""
        data = self.cleaned_data
        return ExportFilters(
            site=data.get("site"), status=data.get("status") or None, metric=data.get("metric") or None,
            since=_midnight(data["since"]) if data.get("since") else None,
            until=_midnight(data["until"] + dt.timedelta(days=1)) if data.get("until") else None,
        )

    def api_params(self) -> dict[str, str]:
        """The same filters as the export endpoints' query parameters."""
        return {name: str(value) for name, value in self.export_filters().to_json().items()}


class ExportJobForm(forms.Form):
    format = forms.ChoiceField(choices=[(name, name) for name in FORMATS])
    include_photos = forms.BooleanField(required=False, label=pgettext_lazy("export", "Include approved photos"))


class AuditFiltersForm(forms.Form):
    object_type = forms.CharField(required=False)
    object_id = forms.CharField(required=False)
    action = forms.CharField(required=False)
    actor = forms.CharField(required=False)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)

    def period(self) -> dict[str, dt.datetime]:
        """The days chosen (both included, in the desk's zone) as the instants audit_events takes."""
        if not self.is_valid():
            return {}
        period = {}
        if self.cleaned_data.get("since"):
            period["since"] = _midnight(self.cleaned_data["since"])
        if self.cleaned_data.get("until"):
            period["until"] = _midnight(self.cleaned_data["until"] + dt.timedelta(days=1))
        return period
