"""Helpers shared by the write services."""
import datetime as dt
import functools

from django.db import connection, models


@functools.lru_cache(maxsize=32)
def _insert_statement(model: type[models.Model], vendor: str, any_unique: bool) -> tuple[str, list]:
    """`INSERT ... ON CONFLICT DO NOTHING` for one row of `model`, and the fields its placeholders take.

    Built once per model: its text never changes, and compiling it through the ORM on every
    insert cost more CPU than running it (visits, photos and submissions are inserted here).
    The values must be plain values, not expressions.
    """
    quote = connection.ops.quote_name
    opts = model._meta
    fields = [field for field in opts.local_concrete_fields if not field.generated]
    target = "" if any_unique else f"({quote(opts.pk.column)})"
    return (f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(field.column) for field in fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT {target} DO NOTHING"), fields


def insert_unless_taken(obj: models.Model, *, any_unique: bool = False) -> bool:
    """INSERT ... ON CONFLICT (pk) DO NOTHING; whether the row went in.

    For rows whose primary key the client chose: concurrent retries of one id wait on the
    key's index entry and all but one insert nothing, with no savepoint to roll back to,
    so this can run inside a longer transaction. Other constraint violations still raise,
    unless `any_unique`: a row with a second unique key needs it, because PostgreSQL may
    meet a concurrent insert in that key's index before the primary key's and raise there.
    """
    statement, fields = _insert_statement(type(obj), connection.vendor, any_unique)
    # As the ORM's insert: pre_save (auto_now, defaults) then each field's own conversion.
    params = [field.get_db_prep_save(field.pre_save(obj, add=True), connection=connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        inserted = cursor.rowcount == 1
    if inserted:
        obj._state.adding, obj._state.db = False, connection.alias
    return inserted


def field_values(model: type[models.Model], values: dict, *, fields: list[str]) -> dict:
    """`values` completed with each omitted field's default, so retries compare like with like."""
    complete = {}
    for name in fields:
        if name in values:
            complete[name] = values[name]
        else:
            complete[name] = model._meta.get_field(name).get_default()
    return complete


def _comparable(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def same_content(obj: models.Model, values: dict) -> bool:
    """Whether `obj` holds these values, compared as parsed values (instants as instants)."""
    for name, value in values.items():
        field = obj._meta.get_field(name)
        current = getattr(obj, field.attname) if field.is_relation else getattr(obj, name)
        if _comparable(current) != _comparable(value):
            return False
    return True
