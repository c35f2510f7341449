"""The admin of the outbox: webhook endpoints (registered here), deliveries with their log, replay.

Imported by surveys/admin.py. Deliveries and events are read-only: they change only through
the outbox (surveys/services/outbox.py); a replay is a new delivery of the same event.
"""
import secrets

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _, ngettext

from surveys.models import Delivery, DeliveryAttempt, NotificationPreference, OutboxEvent, WebhookEndpoint
from surveys.roles import role_of
from surveys.services.audit import audit_record
from surveys.services.outbox import WEBHOOK_EVENTS, delivery_replay
from surveys.vocab import Role


def _payload_json(event):
    """The event's payload as it is sent: JSON, marked as in no language (it is no text of the admin's)."""
    import json

    return format_html('<pre lang="zxx">{}</pre>', json.dumps(event.payload, ensure_ascii=False, indent=2))


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https", label=_("URL"))
    events = forms.MultipleChoiceField(choices=[(e, e) for e in WEBHOOK_EVENTS], widget=forms.CheckboxSelectMultiple,
                                       label=_("events"))
    secret = forms.CharField(max_length=200, required=False, label=_("secret"),
                             help_text=_("Shared with the receiver; signs every delivery (HMAC-SHA256). "
                                         "Left empty, a random one is made."))

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "secret", "active"]

    def clean_secret(self):
        return self.cleaned_data["secret"] or secrets.token_urlsafe(32)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name != "secret"}
        if "secret" in form.changed_data:
            changed["secret"] = "(changed)"  # never the secret itself
        audit_record(actor=request.user, action="webhookendpoint.change" if change else "webhookendpoint.add",
                     obj=obj, changes=changed)

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="webhookendpoint.delete", obj=obj, changes={"url": obj.url})
        super().delete_model(request, obj)


class DeliveryAttemptInline(ReadOnly, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = ["number", "attempted_at", "status_code", "error", "duration_ms"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["event_name", "channel", "endpoint", "user", "state", "attempts", "last_status", "next_attempt_at",
                    "sent_at"]
    list_filter = ["state", "channel", "event__event", "endpoint"]
    search_fields = ["id", "event__id", "endpoint__name", "user__username"]
    list_select_related = ["event", "endpoint", "user"]
    readonly_fields = ["id", "event", "channel", "endpoint", "user", "state", "attempts", "next_attempt_at",
                       "claimed_at", "sent_at", "last_error", "replay_of", "created_at", "payload"]
    inlines = [DeliveryAttemptInline]
    actions = ["replay"]

    @admin.display(description=_("event"), ordering="event__event")
    def event_name(self, delivery):
        return delivery.event.event

    @admin.display(description=_("response code"))
    def last_status(self, delivery):
        attempt = delivery.attempt_log.order_by("-number").first()
        return attempt.status_code if attempt else None

    @admin.display(description=_("payload"))
    def payload(self, delivery):
        return _payload_json(delivery.event)

    def has_replay_permission(self, request):
        return role_of(request.user) == Role.ADMIN

    @admin.action(description=_("Replay the selected webhook deliveries"), permissions=["replay"])
    def replay(self, request, queryset):
        replayed = [delivery_replay(delivery=d, actor=request.user)
                    for d in queryset.filter(channel=Delivery.Channel.WEBHOOK)]
        self.message_user(request, ngettext("%(count)d delivery replayed.", "%(count)d deliveries replayed.",
                                            len(replayed)) % {"count": len(replayed)}, messages.SUCCESS)


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["event", "object_type", "object_id", "created_at"]
    list_filter = ["event"]
    search_fields = ["id", "object_id"]
    date_hierarchy = "created_at"
    readonly_fields = ["id", "event", "key", "object_type", "object_id", "payload_json", "created_at"]
    exclude = ["context", "payload"]

    @admin.display(description=_("payload"))
    def payload_json(self, event):
        return _payload_json(event)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "followup_requests", "followup_answers", "new_evidence", "high_severity"]
    list_filter = ["high_severity", "language"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
