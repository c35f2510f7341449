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


def token_create(*, user, device: str = "") -> tuple[ApiToken, str]:
    """A new token for one device. The key is returned once and only its hash is stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        prefix=key[:8],
        device=device[:200],
        expires_at=timezone.now() + settings.API_TOKEN_TTL,
    )
    return token, key


@functools.cache
def _lookup_sql() -> str:
    user_model = get_user_model()
    membership = user_model.groups.through._meta
    group = membership.get_field("group").related_model._meta
    quote = connection.ops.quote_name
    user_pk = f"u.{quote(user_model._meta.pk.column)}"
    precedence = " ".join(f"WHEN %s THEN {rank}" for rank, _ in enumerate(ROLE_PRECEDENCE))
    return f"""
        SELECT {", ".join(columns("t", ApiToken) + columns("u", user_model))},
               (SELECT g.{quote(group.get_field("name").column)}
                  FROM {quote(group.db_table)} g
                  JOIN {quote(membership.db_table)} ug ON ug.{quote(membership.get_field("group").column)} = g.{quote(group.pk.column)}
                 WHERE ug.{quote(membership.get_field("user").column)} = {user_pk}
                 ORDER BY CASE g.{quote(group.get_field("name").column)} {precedence} ELSE {len(ROLE_PRECEDENCE)} END
                 LIMIT 1)
          FROM {quote(ApiToken._meta.db_table)} t
          JOIN {quote(user_model._meta.db_table)} u ON {user_pk} = t.{quote(ApiToken._meta.get_field("user").column)}
         WHERE t.{quote(ApiToken._meta.get_field("key_hash").column)} = %s
           AND t.{quote(ApiToken._meta.get_field("revoked_at").column)} IS NULL
           AND t.{quote(ApiToken._meta.get_field("expires_at").column)} > %s"""


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
def tokens_revoke_all(*, user, actor) -> int:
    """Every live token of a user (a lost phone), recorded in the audit trail."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="tokens.revoke_all", obj=user, changes={"revoked": count})
    return count
