"""What every page's header needs: the user's role, for the links it shows."""
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from surveys.roles import STAFF_ROLES, role_of
from surveys.vocab import Role


def desk(request):
    role = role_of(getattr(request, "user", None))
    reporter_home = resolve_url(settings.REPORTER_HOME) if role == Role.REPORTER else ""
    return {
        "desk_role": role,
        "desk_is_editor": role in STAFF_ROLES,
        "desk_is_exporter": role == Role.EXPORTER,
        "desk_is_reporter": role == Role.REPORTER,
        "desk_reporter_home": reporter_home,
        # The reporter app, when reporters land somewhere other than the desk's follow-up page.
        "desk_reporter_app": reporter_home if reporter_home and reporter_home != reverse("desk-mine") else "",
    }
