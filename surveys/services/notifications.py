"""Notification mails (sent from the outbox, surveys/services/outbox.py) and each user's preferences.

Mails go through Django's email framework (EMAIL_* settings: the console in the embedded
default, SMTP in production), in the language the user chose, English or Chinese.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _, gettext_noop, ngettext

from surveys.engine.metrics import metric_label
from surveys.models import Delivery, NotificationPreference
from surveys.roles import is_editor

# (subject, body) per event; the values come from the event's mail context.
MAILS = {
    "followup.requested": (
        gettext_noop("Follow-up requested: %(site)s"),
        gettext_noop("An editor asks for a follow-up visit to %(site)s about %(metric)s.\n\n%(explanation)s\n\n"
                     "The editor's note: %(note)s\n\nAnswer it with your next visit to the site: choose this "
                     "request as the visit's follow-up.\n%(reporter_link)s"),
    ),
    "followup.answered": (
        gettext_noop("A follow-up visit arrived: %(site)s"),
        gettext_noop("A reporter answered the follow-up request on %(site)s (%(metric)s) with a new visit.\n\n"
                     "%(link)s"),
    ),
    "discrepancy.new_evidence": (
        gettext_noop("New evidence on a decided discrepancy: %(site)s"),
        gettext_noop("New evidence arrived on %(site)s (%(metric)s), which was decided as “%(status)s”."
                     "\n\n%(explanation)s\n\n%(link)s"),
    ),
    "discrepancy.opened": (
        gettext_noop("New high-severity discrepancy: %(site)s"),
        gettext_noop("A new high-severity discrepancy was found at %(site)s (%(metric)s).\n\nClaim: %(claim)s\n\n"
                     "%(explanation)s\n\n%(link)s"),
    ),
}
FOOTER = gettext_noop("You get this mail because of your notification settings; change them here: %(link)s")
STATUS_LABELS = {"open": gettext_noop("open"), "confirmed": gettext_noop("confirmed"),
                 "dismissed": gettext_noop("dismissed"), "needs_followup": gettext_noop("needs followup"),
                 "resolved": gettext_noop("resolved")}


def _language(user) -> str:
    preference = NotificationPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return preference or settings.LANGUAGE_CODE


def _values(context: dict, language: str) -> dict:
    explanation = context.get("explanation_zh") if language.startswith("zh") else ""
    return {
        **{key: value if value is not None else "" for key, value in context.items()},
        "metric": metric_label(context["metric"], language) if context.get("metric") else "",
        "status": _(STATUS_LABELS.get(context.get("status", ""), context.get("status", ""))),
        "explanation": explanation or context.get("explanation", ""),
        "note": context.get("note") or "—",
    }


def _footer() -> str:
    return "\n\n-- \n" + _(FOOTER) % {"link": f"{settings.NOTIFICATIONS_BASE_URL}{reverse('notification-settings')}"}


def _send(user, subject: str, body: str) -> str:
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
    except Exception as exc:  # SMTP refused or away: the outbox tries again later
        return f"{type(exc).__name__}: {exc}"
    return ""


def mail_send(delivery: Delivery) -> str:
    """One notification mail. Returns "" when sent, else what went wrong."""
    user, event = delivery.user, delivery.event
    if not user.is_active or not user.email:
        return ""  # nobody to tell any more: nothing to retry
    with translation.override(_language(user)):
        subject, body = MAILS[event.event]
        values = _values(event.context, translation.get_language())
        return _send(user, _(subject) % values, _(body) % values + _footer())


def digest_send(deliveries: list[Delivery]) -> str:
    """One mail listing a user's due digest entries (new high-severity discrepancies)."""
    user = deliveries[0].user
    if not user.is_active or not user.email:
        return ""
    with translation.override(_language(user)):
        language = translation.get_language()
        lines = []
        for delivery in sorted(deliveries, key=lambda d: d.event.created_at):
            values = _values(delivery.event.context, language)
            lines.append(_("- %(site)s · %(metric)s: %(explanation)s\n  %(link)s") % values)
        count = len(deliveries)
        subject = ngettext("Daily digest: %(count)d new high-severity discrepancy",
                           "Daily digest: %(count)d new high-severity discrepancies", count) % {"count": count}
        body = _("New high-severity discrepancies since the last digest:") + "\n\n" + "\n\n".join(lines)
        return _send(user, subject, body + _footer())


# ------------------------------------------------------------------ preferences
PREFERENCE_FIELDS = ("language", "followup_requests", "followup_answers", "new_evidence", "high_severity")


def notification_preference_get(*, user) -> NotificationPreference:
    """The user's preferences (the defaults, unsaved, when they never changed them)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


@transaction.atomic
def notification_preference_update(*, user, **values) -> NotificationPreference:
    """Change what the user is told by mail. New high-severity discrepancies are for editors only."""
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationError({name: [gettext_noop("Unknown setting.")] for name in sorted(unknown)})
    preference = (NotificationPreference.objects.select_for_update().filter(user=user).first()
                  or NotificationPreference(user=user))
    for name, value in values.items():
        setattr(preference, name, value)
    if preference.high_severity != NotificationPreference.Choice.OFF and not is_editor(user):
        raise ValidationError({"high_severity": [gettext_noop("Only editors can subscribe to new discrepancies.")]})
    preference.full_clean(exclude=["user"])
    preference.save()
    return preference
