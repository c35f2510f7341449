"""The exporter policy, in one place: used by the API serializers and by the exports.

An exporter never gets originals, photo or visit positions, or reporter identities
(a stable pseudonym instead). Visits carry their site's coordinates instead.
"""
import hashlib
import hmac

from django.conf import settings

from surveys.roles import role_of
from surveys.vocab import Role

# Fields withheld from exporters, per resource.
EXPORTER_HIDDEN_FIELDS: dict[str, frozenset[str]] = {
    "visit": frozenset({"latitude", "longitude"}),
    "photo": frozenset({"latitude", "longitude", "distance_m", "gps_time", "camera_make", "camera_model", "evidence"}),
}


def is_restricted(user) -> bool:
    """True when the exporter policy applies to this user."""
    return role_of(user) == Role.EXPORTER


def can_fetch_originals(user, photo) -> bool:
    role = role_of(user)
    if role in (Role.EDITOR, Role.ADMIN):
        return True
    return role == Role.REPORTER and photo.visit.reporter_id == user.pk


def photo_variants(user, photo) -> list[str]:
    """The files of a photo this user may fetch.

    Face detection misses faces, so only display images an editor approved leave
    the system through exporters.
    """
    variants = []
    if photo.status == "ready":
        if not is_restricted(user) or photo.approved_at is not None:
            variants += ["display", "thumbnail"]
    if can_fetch_originals(user, photo):
        variants.append("original")
    return variants


def reporter_pseudonym(user_id: int) -> str:
    """A stable pseudonym: the same reporter always gets the same one, nobody can reverse it."""
    digest = hmac.new(settings.PSEUDONYM_SALT.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()
    return f"reporter-{digest[:10]}"


def reporter_label(viewer, reporter_id: int, username: str) -> str:
    return reporter_pseudonym(reporter_id) if is_restricted(viewer) else username
