from surveys.models import Tombstone


def tombstone_record(*, obj, owner_id: int | None = None) -> None:
    """Remember a deleted synced row so phones syncing with a cursor learn of it."""
    Tombstone.objects.create(model=obj._meta.model_name, object_id=str(obj.pk), owner_id=owner_id)
