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


# What an exporter reads of a photo's `flag_details`, per flag: the keys kept (True: the value as
# is; a dict: the same rule one level down, applied to each item of a list). Everything else is
# dropped, so a number a flag gains later stays withheld until it is listed here. Left out on
# purpose: far_from_site's distance_m and excess_m (distance = excess + radius + tolerance),
# edited.gps_time_mismatch's gps_time and delta_minutes (gps time = taken_at + delta), and the
# EXIF Software text of edited.software (it can name the device; the matched program is kept).
EXPORTER_FLAG_DETAILS: dict[str, dict] = {
    "far_from_site": {"radius_m": True, "tolerance_m": True},
    "reused": {"matches": {"photo_id": True, "distance": True}, "threshold": True},
    "time_mismatch": {"taken_at": True, "taken_at_has_offset": True, "window": True, "tolerance_minutes": True,
                      "delta_minutes": True},
    "no_location": {},
    "edited": {"reasons": True, "software": {"matched": True}, "modified_after_capture": True,
               "gps_time_mismatch": {"taken_at": True, "taken_at_has_offset": True}, "thumbnail_mismatch": True},
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


def _kept(value, rule):
    """`value` with only what `rule` (see EXPORTER_FLAG_DETAILS) keeps."""
    if rule is True:
        return value
    if isinstance(value, list):
        return [_kept(item, rule) for item in value]
    if not isinstance(value, dict) or not isinstance(rule, dict):
        return None
    return {key: _kept(item, rule[key]) for key, item in value.items() if key in rule}


def reuse_match_ids(flag_details) -> set[str]:
    """The other photos a photo's `reused` flag names."""
    reused = flag_details.get("reused") if isinstance(flag_details, dict) else None
    matches = reused.get("matches") if isinstance(reused, dict) else None
    return {str(match.get("photo_id")) for match in matches or [] if isinstance(match, dict)}


def visible_photo_ids(user, ids) -> set[str]:
    """Which of these photo ids the user may see (one query; none when there is nothing to check)."""
    from surveys.selectors.scoping import photos_for

    ids = set(ids)
    if not ids:
        return set()
    if role_of(user) in (Role.EDITOR, Role.ADMIN):
        return ids
    return {str(pk) for pk in photos_for(user).filter(pk__in=ids).values_list("pk", flat=True)}


def flag_details_for(user, flag_details, *, visible_ids: set[str]) -> dict:
    """A photo's flag_details as this user may read them.

    Exporters get only what EXPORTER_FLAG_DETAILS lists; everyone but editors gets, in a
    `reused` flag, only the matching photos they may see themselves (`visible_ids`, from
    `visible_photo_ids`): a reporter never learns the id of a colleague's photo.
    """
    if not isinstance(flag_details, dict):
        return {}
    role = role_of(user)
    if role in (Role.EDITOR, Role.ADMIN):
        return flag_details
    details = {flag: value for flag, value in flag_details.items()}
    if role == Role.EXPORTER:
        details = {flag: _kept(value, EXPORTER_FLAG_DETAILS[flag]) for flag, value in details.items()
                   if flag in EXPORTER_FLAG_DETAILS}
    reused = details.get("reused")
    if isinstance(reused, dict) and isinstance(reused.get("matches"), list):
        details["reused"] = {**reused, "matches": [
            match for match in reused["matches"]
            if isinstance(match, dict) and str(match.get("photo_id")) in visible_ids]}
    return details
