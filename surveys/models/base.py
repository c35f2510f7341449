from django.db import models
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_lazy as _

from surveys.engine.metrics import metric_label
from surveys.vocab import Metric, Qualifier, Status, choices


def labelled(enum) -> list[tuple[str, str]]:
    """Field choices from a vocabulary enum, their labels in the reader's language (the admin's filters and forms).

    The labels' msgids are listed in surveys/web/presenters.py (VOCABULARY_LABELS) for makemessages.
    """
    return [(value, _(label)) for value, label in choices(enum)]


def _metric_label(metric: str) -> str:
    return metric_label(metric, get_language() or "en")


# The metrics' names come from the engine's table in the active language, so the pages and forms
# need no translation entry per metric.
METRIC_CHOICES = [(m.value, lazy(_metric_label, str)(m.value)) for m in Metric]


class SyncedModel(models.Model):
    """A row phones sync with `?updated_since=`.

    `sync_txid` is written by a database trigger on every insert and update (installed
    for every model with this field by surveys/models/sync.py): the writing
    transaction's id on PostgreSQL, a commit-ordered counter on SQLite. Sync pages are
    ordered by it and only show rows whose transaction had committed before every
    transaction still running, so a row committed late is never skipped by a cursor
    that has moved past it.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    sync_txid = models.BigIntegerField(_("sync transaction"), default=0, editable=False, db_index=True)

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


class NamedEntity(SyncedModel):
    """A name plus aliases in any script, searchable as one lower-cased text."""

    name = models.CharField(_("name"), max_length=300)
    aliases = models.JSONField(_("aliases"), default=list, blank=True, help_text=_("Other names, any script."))
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]

    def save(self, *args, **kwargs):
        self.search_text = "\n".join(self.all_names()).casefold()
        super().save(*args, **kwargs)


class ValueShape(SyncedModel):
    """The contract's value shape: a metric with low/high/unit/qualifier, or a status."""

    metric = models.CharField(_("metric"), max_length=32, choices=METRIC_CHOICES)
    low = models.FloatField(_("low value"), null=True, blank=True)
    high = models.FloatField(_("high value"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    qualifier = models.CharField(_("qualifier"), max_length=16, choices=labelled(Qualifier), default=Qualifier.EXACT)
    status_value = models.CharField(_("status value"), max_length=32, choices=labelled(Status), blank=True)

    class Meta:
        abstract = True
        constraints = [
            enum_check("metric", Metric),
            enum_check("qualifier", Qualifier),
            enum_check("status_value", Status, allow_blank=True),
            range_check(),
        ]
