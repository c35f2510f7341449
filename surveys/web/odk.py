"""The desk's page for phones: issue a reporter's ODK Collect token and show the settings QR code, list and revoke."""
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from surveys.models import ApiToken
from surveys.odk.collect import collect_settings, settings_payload
from surveys.services.devices import DEVICE_PREFIX, device_token_issue, device_token_revoke
from surveys.vocab import Role
from surveys.web.views import editors_only


def _reporters():
    return get_user_model().objects.filter(groups__name=Role.REPORTER.value, is_active=True).order_by("username")


class DeviceForm(forms.Form):
    reporter = forms.ModelChoiceField(queryset=_reporters(), label=gettext_lazy("Reporter"))
    device = forms.CharField(max_length=100, label=gettext_lazy("Phone"), required=False,
                             help_text=gettext_lazy("A name to tell this phone apart, e.g. “Li's Android”."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter"].queryset = _reporters()


def _devices():
    return ApiToken.objects.filter(device__startswith=DEVICE_PREFIX, revoked_at__isnull=True).select_related(
        "user").order_by("user__username", "-created_at")


def _qr_svg(payload: str) -> str:
    import segno

    svg = segno.make(payload, error="m").svg_inline(scale=5, border=4)
    # A viewBox lets the stylesheet shrink the code to a phone's width (it stays square).
    return re.sub(r'^<svg width="(\d+)" height="(\d+)"', r'<svg width="\1" height="\2" viewBox="0 0 \1 \2"', svg)


@never_cache
@editors_only
def devices(request):
    form = DeviceForm(request.POST or None)
    context = {"form": form, "devices": _devices(), "zone": settings.DESK_TIME_ZONE}  # phones belong to no site
    if request.method == "POST" and form.is_valid():
        reporter = form.cleaned_data["reporter"]
        token, key = device_token_issue(reporter=reporter, device=form.cleaned_data["device"], actor=request.user)
        server_url = request.build_absolute_uri(f"/v1/key/{key}/projects/1")
        payload = settings_payload(collect_settings(server_url=server_url,
                                                    project_name=f"{settings.NEWSROOM_NAME} · {reporter.username}"))
        context.update({"issued": token, "qr_svg": _qr_svg(payload), "server_url": server_url, "payload": payload,
                        "form": DeviceForm(), "devices": _devices()})
    return render(request, "desk/odk_devices.html", context)


@require_POST
@editors_only
def device_revoke(request, pk: int):
    token = get_object_or_404(_devices(), pk=pk)
    device_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The phone's token is revoked: it can no longer send or fetch forms."))
    return redirect("desk-odk-devices")
