from rest_framework.permissions import SAFE_METHODS, BasePermission

from surveys.roles import role_of
from surveys.vocab import Role

EDITORS = frozenset({Role.EDITOR, Role.ADMIN})


class RoleWrite(BasePermission):
    """Any role reads; the view's `write_roles` write. Scoping (404) is the queryset's job."""

    def has_permission(self, request, view):
        role = role_of(request.user)
        if role is None:
            return False
        if request.method in SAFE_METHODS:
            return True
        write_roles = getattr(view, "write_roles", EDITORS)
        if isinstance(write_roles, dict):
            write_roles = write_roles.get(getattr(view, "action", None) or request.method.lower(), EDITORS)
        return role in write_roles


class EditorsOnly(BasePermission):
    def has_permission(self, request, view):
        return role_of(request.user) in EDITORS
