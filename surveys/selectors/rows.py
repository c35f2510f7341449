"""Model instances from hand-written SQL, for the few hot paths where the ORM's query
building costs more than the query (authentication runs on every API request)."""
from django.db import connection


def columns(alias: str, model) -> list[str]:
    """The select list for every concrete field of `model`, in field order."""
    quote = connection.ops.quote_name
    return [f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields]


def instance_from_row(model, values):
    """`model` built from values in `columns()` order, converted as the ORM would convert them."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)
