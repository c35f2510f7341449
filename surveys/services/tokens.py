import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from surveys.models import ApiToken
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


def token_lookup(key: str) -> ApiToken | None:
    if not key or len(key) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def tokens_revoke_all(*, user, actor) -> int:
    """Every live token of a user (a lost phone), recorded in the audit trail."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="tokens.revoke_all", obj=user, changes={"revoked": count})
    return count
