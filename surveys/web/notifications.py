"""The page where each user chooses what they are told by mail (docs/notifications.md)."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from surveys.models import NotificationPreference
from surveys.roles import is_editor
from surveys.services.notifications import PREFERENCE_FIELDS, notification_preference_get, notification_preference_update


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = PREFERENCE_FIELDS
        widgets = {name: forms.RadioSelect for name in PREFERENCE_FIELDS if name != "language"}

    def __init__(self, *args, editor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not editor:
            del self.fields["high_severity"]


@login_required
def notification_settings(request):
    editor = is_editor(request.user)
    preference = notification_preference_get(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference, editor=editor)
    if request.method == "POST" and form.is_valid():
        try:
            notification_preference_update(user=request.user, **{
                name: form.cleaned_data[name] for name in PREFERENCE_FIELDS if name in form.fields})
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, [_(p) for p in problems])
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification-settings")
    return render(request, "desk/notifications.html", {"form": form, "email": request.user.email})
