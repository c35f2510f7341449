"""Model instances from hand-written SQL, for the few hot paths where the ORM's query
building costs more than the query (authentication runs on every API request)."""
import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections


def _fields(model, names: tuple[str, ...] | None):
    return model._meta.concrete_fields if names is None else [model._meta.get_field(name) for name in names]


def columns(alias: str, model, names: tuple[str, ...] | None = None) -> list[str]:
    """The select list for the fields `names` of `model` (by default every concrete field, in field order)."""
    quote = connection.ops.quote_name
    return [f"{alias}.{quote(field.column)}" for field in _fields(model, names)]


@functools.lru_cache(maxsize=64)
def _loading(model, database, names: tuple[str, ...] | None) -> tuple[list[str], list[tuple]]:
    """The field names, and per field its column and the converters the ORM would apply."""
    fields = _fields(model, names)
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        converters.append((column, database.ops.get_db_converters(column) + column.get_db_converters(database)))
    return [field.attname for field in fields], converters


def instance_from_row(model, values, names: tuple[str, ...] | None = None):
    """`model` built from values in `columns()` order, converted as the ORM would convert them.

    With `names`, only those fields are loaded; the others are deferred, as with `only()`.
    """
    database = connections[DEFAULT_DB_ALIAS]  # this thread's connection itself, not the proxy
    attnames, converters = _loading(model, database, names)
    converted = []
    for (column, column_converters), value in zip(converters, values, strict=True):
        for converter in column_converters:
            value = converter(value, column, database)
        converted.append(value)
    return model.from_db(database.alias, attnames, converted)
