from django.contrib.auth import get_user_model
from django.db import transaction

from surveys.roles import STAFF_ROLES, role_group
from surveys.vocab import Role


@transaction.atomic
def user_upsert(*, username: str, role: Role, password: str | None = None):
    """Create or update a user with exactly one role. Idempotent."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = role in STAFF_ROLES
    user.is_active = True
    user.save()
    user.groups.set([role_group(role)])
    return user, created
