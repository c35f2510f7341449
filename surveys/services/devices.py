"""Phones set up for ODK Collect: a device token an editor issues for a reporter, and its revocation."""
from django.db import transaction

from surveys.models import ApiToken
from surveys.services.audit import audit_record
from surveys.services.tokens import token_create, token_revoke

DEVICE_PREFIX = "ODK Collect: "


@transaction.atomic
def device_token_issue(*, reporter, device: str, actor) -> tuple[ApiToken, str]:
    """A token for one phone of `reporter`; the key is returned once, for the QR code."""
    token, key = token_create(user=reporter, device=f"{DEVICE_PREFIX}{device.strip() or 'phone'}")
    audit_record(actor=actor, action="device_token.issue", obj=token, changes={"user": reporter.get_username(),
                                                                              "device": token.device})
    return token, key


@transaction.atomic
def device_token_revoke(*, token: ApiToken, actor) -> None:
    """Locks the phone out at once: every request looks the token up."""
    token_revoke(token=token)
    audit_record(actor=actor, action="device_token.revoke", obj=token, changes={"device": token.device})
