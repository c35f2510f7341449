"""The contract's four roles, as Django groups with model permissions (used by the admin)."""
from django.contrib.auth.models import Group, Permission

from surveys.vocab import Role

_ALL = ("add", "change", "delete", "view")
_DOMAIN = ("organization", "site", "claim", "visit", "observation", "photo", "discrepancy",
           "discrepancycomment", "linkproposal", "exportjob")

ROLE_PERMISSIONS: dict[Role, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.REPORTER: [
        ("surveys", "organization", ("view",)),
        ("surveys", "site", ("view", "add")),
        ("surveys", "claim", ("view",)),
        ("surveys", "visit", ("view", "add", "change")),
        ("surveys", "observation", ("view", "add", "change")),
        ("surveys", "photo", ("view", "add")),
    ],
    Role.EXPORTER: [
        ("surveys", model, ("view",)) for model in ("organization", "site", "claim", "discrepancy")
    ],
    Role.EDITOR: [("surveys", model, _ALL) for model in _DOMAIN] + [("surveys", "auditevent", ("view",)),
                                                                     ("surveys", "discrepancydecision", ("view",))],
}
ROLE_PERMISSIONS[Role.ADMIN] = ROLE_PERMISSIONS[Role.EDITOR] + [
    ("auth", "user", _ALL),
    ("auth", "group", ("view",)),
    ("surveys", "apitoken", ("view", "change", "delete")),
    ("surveys", "webhookendpoint", _ALL),
    ("surveys", "delivery", ("view",)),
    ("surveys", "deliveryattempt", ("view",)),
    ("surveys", "outboxevent", ("view",)),
    ("surveys", "notificationpreference", ("view", "change")),
]

STAFF_ROLES = {Role.EDITOR, Role.ADMIN}
# The most powerful role wins when a user is in several groups.
ROLE_PRECEDENCE = (Role.ADMIN, Role.EDITOR, Role.EXPORTER, Role.REPORTER)


def _grant(group: Group, role: Role) -> None:
    wanted = {(app, f"{action}_{model}") for app, model, actions in ROLE_PERMISSIONS[role] for action in actions}
    permissions = [
        permission for permission in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted})
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    group.permissions.set(permissions)


def roles_sync(**kwargs) -> None:
    """Create or refresh the four groups and their permissions (run after every migrate)."""
    for role in ROLE_PERMISSIONS:
        _grant(Group.objects.get_or_create(name=role.value)[0], role)


def role_group(role: Role) -> Group:
    group, created = Group.objects.get_or_create(name=role.value)
    if created:
        _grant(group, role)
    return group


def _role_from_groups(user, group_names) -> Role | None:
    if user.is_superuser:
        return Role.ADMIN
    return next((role for role in ROLE_PRECEDENCE if role.value in group_names), None)


def role_of(user) -> Role | None:
    """The user's role, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_survey_role", False)
    if cached is not False:
        return cached
    return role_remember(user, set(user.groups.values_list("name", flat=True)))


def role_remember(user, group_names) -> Role | None:
    """Cache the role of a user whose group names were fetched along with it."""
    user._survey_role = _role_from_groups(user, group_names)
    return user._survey_role


def is_editor(user) -> bool:
    return role_of(user) in STAFF_ROLES
