from surveys.models import AuditEvent


def audit_record(*, actor, action: str, obj, changes: dict | None = None) -> AuditEvent:
    """Append one audit event. `obj` is any model instance."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes or {},
    )
