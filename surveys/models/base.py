from django.db import models


class SyncedModel(models.Model):
    """A row phones sync with `?updated_since=`.

    `sync_txid` is written by a database trigger on every insert and update (see
    migration 0002): the writing transaction's id on PostgreSQL, a commit-ordered
    counter on SQLite. Sync pages are ordered by it and only show rows whose
    transaction had committed before every transaction still running, so a row
    committed late is never skipped by a cursor that has moved past it.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    sync_txid = models.BigIntegerField(default=0, editable=False, db_index=True)

    class Meta:
        abstract = True


def enum_check(field: str, enum, *, allow_blank: bool = False) -> models.CheckConstraint:
    values = [member.value for member in enum] + ([""] if allow_blank else [])
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": values}), name=f"%(class)s_{field}_valid"
    )


def range_check() -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(low__isnull=True) | models.Q(high__isnull=True) | models.Q(low__lte=models.F("high")),
        name="%(class)s_low_lte_high",
    )
