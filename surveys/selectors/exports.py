"""What an export contains, read straight from the database in constant memory.

Every export starts from the scoping selectors (who sees which rows) and applies
the exporter policy from `policy.py` (which fields a restricted viewer gets). CSV
on PostgreSQL goes through `COPY (SELECT ...) TO STDOUT` of the very same query,
formatted in SQL (surveys/exports/sql.py); everything else iterates `values_list`
tuples with a server-side cursor. `user=None` is the command line's full view.
"""
import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import NullIf

from surveys.exports import formats
from surveys.exports.columns import DATASET_COLUMNS, FORMATS, POLICY_RESOURCE, Column, ExportFormat, Kind
from surveys.exports.sql import copy_statement
from surveys.models import Claim, Discrepancy, ExportJob, Observation, Photo, Visit
from surveys.roles import is_editor
from surveys.selectors import scoping
from surveys.selectors.policy import EXPORTER_HIDDEN_FIELDS, is_restricted, reporter_pseudonym
from surveys.vocab import ReviewStatus

ROW_CHUNK = 2000  # rows per server-side cursor fetch
Progress = Callable[[int], None] | None


@dataclass(frozen=True)
class ExportFilters:
    site: int | None = None
    since: dt.datetime | None = None  # a visit's started_at, inclusive
    until: dt.datetime | None = None  # exclusive
    status: str | None = None
    metric: str | None = None

    def to_json(self) -> dict:
        return {key: value.isoformat() if isinstance(value, dt.datetime) else value
                for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict) -> "ExportFilters":
        values = dict(data)
        for key in ("since", "until"):
            if values.get(key):
                values[key] = dt.datetime.fromisoformat(values[key])
        return cls(**values)


# Lookups each filter applies to, per dataset; a filter a dataset lacks is ignored.
_SITE = {"visits": "site_id", "observations": "visit__site_id", "claims": "site_id",
         "discrepancies": "site_id", "claimreview": "site_id"}
_STARTED_AT = {"visits": "started_at", "observations": "visit__started_at",
               "discrepancies": "observed_visit__started_at", "claimreview": "observed_visit__started_at"}
_METRIC = {"observations", "claims", "discrepancies", "claimreview"}
_STATUS = {"discrepancies"}
_ORDERING = {
    "visits": ("started_at", "id"),
    "observations": ("visit__started_at", "visit_id", "created_at", "id"),
    "claims": ("id",),
    "discrepancies": ("id",),
    "claimreview": ("reviewed_at", "id"),
}
_MODEL = {"visits": Visit, "observations": Observation, "claims": Claim,
          "discrepancies": Discrepancy, "claimreview": Discrepancy}


def _scoped(dataset: str, user) -> QuerySet:
    if user is None:
        return _MODEL[dataset].objects.all()
    scoped = {
        "visits": scoping.visits_for, "observations": scoping.observations_for, "claims": scoping.claims_for,
        "discrepancies": scoping.discrepancies_for, "claimreview": scoping.discrepancies_for,
    }[dataset](user)
    return scoped.select_related(None)  # values_list below reads only what it names


def export_queryset(*, dataset: str, user, filters: ExportFilters) -> QuerySet:
    """The rows of an export, scoped and filtered, in the export's order."""
    rows = _scoped(dataset, user)
    if dataset == "claimreview":
        rows = rows.filter(status=ReviewStatus.CONFIRMED)
    if filters.site is not None:
        rows = rows.filter(**{_SITE[dataset]: filters.site})
    if dataset in _STARTED_AT:
        if filters.since is not None:
            rows = rows.filter(**{f"{_STARTED_AT[dataset]}__gte": filters.since})
        if filters.until is not None:
            rows = rows.filter(**{f"{_STARTED_AT[dataset]}__lt": filters.until})
    if filters.metric and dataset in _METRIC:
        rows = rows.filter(metric=filters.metric)
    if filters.status and dataset in _STATUS:
        rows = rows.filter(status=filters.status)
    return rows.order_by(*_ORDERING[dataset])


def _expression(model, column: Column, *, restricted: bool, hidden: frozenset[str]):
    if restricted and column.source in hidden:
        return Value(None, output_field=models.FloatField())
    if column.kind == Kind.REPORTER:
        return F(column.source) if restricted else F("reporter__username")
    base = column.source.split("__", 1)[0]
    if "__" in column.source and isinstance(model._meta.get_field(base), models.JSONField):
        # A key of a JSON object as text. Django's SQLite version spells a JSON null "null".
        return NullIf(KT(column.source), Value("null"), output_field=models.TextField())
    return F(column.source)


@dataclass
class ExportPlan:
    """A dataset's columns and the `values_list` query that selects them (as c0, c1, ...)."""

    dataset: str
    columns: tuple[Column, ...]
    rows: QuerySet
    restricted: bool


def export_plan(*, dataset: str, user, filters: ExportFilters) -> ExportPlan:
    columns = DATASET_COLUMNS[dataset]
    restricted = user is not None and is_restricted(user)
    hidden = EXPORTER_HIDDEN_FIELDS.get(POLICY_RESOURCE[dataset], frozenset())
    queryset = export_queryset(dataset=dataset, user=user, filters=filters)
    aliases = [f"c{i}" for i in range(len(columns))]
    queryset = queryset.annotate(**{
        alias: _expression(queryset.model, column, restricted=restricted, hidden=hidden)
        for alias, column in zip(aliases, columns)
    }).values_list(*aliases)
    return ExportPlan(dataset=dataset, columns=columns, rows=queryset, restricted=restricted)


def _reporter_index(columns) -> int | None:
    return next((i for i, column in enumerate(columns) if column.kind == Kind.REPORTER), None)


def _rows(plan: ExportPlan) -> Iterator[tuple]:
    """Tuples from a server-side cursor; reporter ids replaced by pseudonyms when restricted."""
    rows = plan.rows.iterator(chunk_size=ROW_CHUNK)
    index = _reporter_index(plan.columns) if plan.restricted else None
    if index is None:
        return rows
    labels: dict[int, str] = {}

    def pseudonymised():
        for row in rows:
            uid = row[index]
            if uid not in labels:
                labels[uid] = reporter_pseudonym(uid)
            yield row[:index] + (labels[uid],) + row[index + 1:]

    return pseudonymised()


def _counted(rows: Iterable, progress: Progress, every: int) -> Iterator:
    if progress is None:
        yield from rows
        return
    count = 0
    for count, row in enumerate(rows, 1):
        yield row
        if count % every == 0:
            progress(count)
    progress(count)


def _pseudonyms_json() -> str:
    reporters = get_user_model().objects.filter(Exists(Visit.objects.filter(reporter=OuterRef("pk"))))
    return json.dumps({str(uid): reporter_pseudonym(uid) for uid in reporters.values_list("pk", flat=True)})


def _copy_chunks(plan: ExportPlan, progress: Progress, every: int) -> Iterator[bytes]:
    """COPY ... TO STDOUT, re-buffered: libpq hands over one row at a time."""
    sql, params = plan.rows.query.sql_with_params()
    aliases = [f"c{i}" for i in range(len(plan.columns))]
    pseudonymised = plan.restricted and _reporter_index(plan.columns) is not None
    statement = copy_statement(plan.columns, aliases, sql, pseudonymised=pseudonymised)
    params = ((_pseudonyms_json(),) if pseudonymised else ()) + tuple(params)
    buffer, count = bytearray(), 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for row in copy:
            buffer += row
            count += 1
            if progress is not None and count % every == 0:
                progress(count)
            if len(buffer) >= formats.FLUSH_BYTES:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)
    if progress is not None:
        progress(count)


def export_stream(export: ExportFormat, *, user, filters: ExportFilters, bom: bool = False,
                  progress: Progress = None, every: int = 1000, copy: bool = True) -> Iterator[bytes]:
    """The export's bytes, in chunks of about 64 KB; `progress(rows)` every `every` rows.

    COPY holds the connection until its last row: pass `copy=False` when
    `progress` itself queries the database (export jobs write their progress).
    """
    plan = export_plan(dataset=export.dataset, user=user, filters=filters)
    if export.writer == "csv":
        head = formats.csv_header(plan.columns).encode()
        yield (formats.BOM + head) if bom else head
        if copy and connection.vendor == "postgresql":
            yield from _copy_chunks(plan, progress, every)
        else:
            rows = _counted(_rows(plan), progress, every)
            yield from formats.chunked(formats.csv_lines(plan.columns, rows))
        return
    records = formats.json_records(plan.columns, _counted(_rows(plan), progress, every))
    if export.writer == "jsonl":
        parts = formats.jsonl_lines(records)
    elif export.writer == "geojson":
        parts = formats.geojson_parts(records)
    else:
        reviews = (formats.claim_review(record, newsroom_name=settings.NEWSROOM_NAME,
                                        newsroom_url=settings.NEWSROOM_URL) for record in records)
        parts = formats.jsonld_parts(reviews)
    yield from formats.chunked(parts)


def export_format(name: str) -> ExportFormat | None:
    return FORMATS.get(name)


def export_count(export: ExportFormat, *, user, filters: ExportFilters) -> int:
    return export_queryset(dataset=export.dataset, user=user, filters=filters).count()


def export_photos(*, user, filters: ExportFilters) -> QuerySet:
    """Approved display images of the visits the filters select (site, since, until)."""
    photos = Photo.objects.all() if user is None else scoping.photos_for(user).select_related(None)
    photos = photos.filter(approved_at__isnull=False).exclude(display="")
    if filters.site is not None:
        photos = photos.filter(visit__site_id=filters.site)
    if filters.since is not None:
        photos = photos.filter(visit__started_at__gte=filters.since)
    if filters.until is not None:
        photos = photos.filter(visit__started_at__lt=filters.until)
    return photos.order_by("visit__started_at", "visit_id", "created_at", "id")


def export_jobs_for(user) -> QuerySet[ExportJob]:
    """The requester sees their jobs; editors and admins see everyone's."""
    jobs = ExportJob.objects.all()
    return jobs if is_editor(user) else jobs.filter(requested_by=user)
