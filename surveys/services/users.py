from django.contrib.auth import get_user_model
from django.db import transaction

from surveys.roles import STAFF_ROLES, role_group
from surveys.vocab import Role


@transaction.atomic
def user_upsert(*, username: str, role: Role, password: str | None = None):
    """Create or update a user with exactly one role. Idempotent: the same password again
    is not a password change (which would revoke the user's tokens)."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if password and (created or not user.check_password(password)):
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = role in STAFF_ROLES
    user.is_active = True
    user.save()
    user.groups.set([role_group(role)])
    return user, created


def credentials_change_note(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save of the user model: note a new password or a deactivation, whatever door saved it.

    `_password` holds the raw password from set_password() until the save: a hash that
    Django only upgraded on login leaves it empty and is no change.
    """
    instance._credentials_changed = None
    if raw or instance._state.adding:
        return
    if getattr(instance, "_password", None) is not None:
        instance._credentials_changed = "password changed"
    elif not instance.is_active and (update_fields is None or "is_active" in update_fields):
        if sender.objects.filter(pk=instance.pk, is_active=True).exists():
            instance._credentials_changed = "user deactivated"


def credentials_change_revoke_tokens(sender, instance, raw=False, **kwargs) -> None:
    """post_save of the user model: a new password or a deactivation ends every device token."""
    from surveys.models import ApiToken
    from surveys.services.tokens import tokens_revoke_all

    reason = getattr(instance, "_credentials_changed", None)
    instance._credentials_changed = None
    if reason and ApiToken.objects.filter(user=instance, revoked_at__isnull=True).exists():
        tokens_revoke_all(user=instance, actor=None, reason=reason)
