from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.vocab import ReviewStatus, Role

# What an editor may decide; `resolved` is the system's.
DECISIONS = [
    (ReviewStatus.CONFIRMED.value, _("Confirm")),
    (ReviewStatus.DISMISSED.value, _("Dismiss")),
    (ReviewStatus.NEEDS_FOLLOWUP.value, _("Ask for follow-up")),
    (ReviewStatus.OPEN.value, _("Reopen")),
]


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
