import functools
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from surveys.models import ApiToken
from surveys.roles import ROLE_PRECEDENCE, role_remember
from surveys.selectors.rows import columns, instance_from_row
from surveys.services.audit import audit_record


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, device: str = "") -> tuple[ApiToken, str]:
    """A new token for one device; the device's earlier token is revoked (one live token per
    user and device name). The key is returned once and only its hash is stored."""
    device = device[:200]
    # Concurrent logins of one user wait here, so the second revokes the first's token.
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    now = timezone.now()
    ApiToken.objects.filter(user=user, device=device, revoked_at__isnull=True).update(revoked_at=now)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        prefix=key[:8],
        device=device,
        expires_at=now + settings.API_TOKEN_TTL,
    )
    return token, key


@functools.cache
def _lookup_sql() -> str:
    quote = connection.ops.quote_name
    user = get_user_model()._meta
    membership = user.model.groups.through._meta
    group = membership.get_field("group").related_model._meta
    token = ApiToken._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    user_id = f"u.{quote(user.pk.column)}"
    group_name = f"g.{column(group, 'name')}"
    precedence = " ".join(f"WHEN %s THEN {rank}" for rank, _ in enumerate(ROLE_PRECEDENCE))
    return f"""
        SELECT {", ".join(columns("t", ApiToken) + columns("u", user.model))},
               (SELECT {group_name}
                  FROM {quote(group.db_table)} g
                  JOIN {quote(membership.db_table)} ug ON ug.{column(membership, "group")} = g.{quote(group.pk.column)}
                 WHERE ug.{column(membership, "user")} = {user_id}
                 ORDER BY CASE {group_name} {precedence} ELSE {len(ROLE_PRECEDENCE)} END
                 LIMIT 1)
          FROM {quote(token.db_table)} t
          JOIN {quote(user.db_table)} u ON {user_id} = t.{column(token, "user")}
         WHERE t.{column(token, "key_hash")} = %s
           AND t.{column(token, "revoked_at")} IS NULL
           AND t.{column(token, "expires_at")} > %s"""


def token_lookup(key: str) -> ApiToken | None:
    """The live token for `key` with its user, and the user's role remembered.

    One hand-written query: this runs on every API request, and building the same
    select_related query plus the groups query through the ORM cost several times more
    CPU than running them.
    """
    if not key or len(key) > 200:
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [*(role.value for role in ROLE_PRECEDENCE), _hash(key), now])
        row = cursor.fetchone()
    if row is None:
        return None
    user_model = get_user_model()
    split = len(ApiToken._meta.concrete_fields)
    token = instance_from_row(ApiToken, row[:split])
    token.user = instance_from_row(user_model, row[split:-1])
    role_remember(token.user, {row[-1]} if row[-1] else set())
    return token


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def tokens_revoke_all(*, user, actor, reason: str = "revoked by an admin") -> int:
    """Every live token of a user (a lost phone, a new password), recorded in the audit trail."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="tokens.revoke_all", obj=user, changes={"revoked": count, "reason": reason})
    return count
