"""The CSV rules of `formats.py`, written in PostgreSQL for `COPY ... TO STDOUT`.

Rows go from the server to the client already formatted, neutralised and under
the exporter policy (the inner query is the same one the Python path iterates),
so the web process only forwards bytes. Empty text becomes NULL, because COPY
quotes an empty string ("") but writes NULL as an empty cell.
"""
from .columns import Column, Kind
from .formats import FORMULA_STARTS

# ascii() reads the first character's code without building a substring (cheaper than left(x, 1)).
_FORMULA = f"ascii({{x}}) IN ({', '.join(str(ord(start)) for start in FORMULA_STARTS)})"
_TEXT = f"CASE WHEN {{x}} = '' THEN NULL WHEN {_FORMULA} THEN '''' || {{x}} ELSE {{x}} END"

SQL_CELL: dict[Kind, str] = {
    Kind.TEXT: _TEXT,
    Kind.CODE: "NULLIF({x}, '')",
    Kind.NUMBER: "({x})::float8::text",
    Kind.INT: "({x})::text",
    Kind.BOOL: "CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END",
    # ISO DateStyle (which psycopg needs anyway) already drops trailing zeros of the fraction; 3x to_char's speed.
    Kind.DATETIME: "replace(({x} AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z'",
    Kind.DATE: "to_char({x}, 'YYYY-MM-DD')",
    Kind.UUID: "({x})::text",
    Kind.LIST: "NULLIF(({x})::text, '[]')",
    Kind.REPORTER: _TEXT,
}


def copy_statement(columns: tuple[Column, ...], aliases: list[str], inner_sql: str, *,
                   pseudonymised: bool) -> str:
    """COPY of `inner_sql` (whose select list names `aliases`) with every cell formatted.

    When `pseudonymised`, the REPORTER column holds user ids and one parameter
    follows the inner query's: a JSON object of pseudonyms by user id (computed
    by the policy's own function; a jsonb key lookup, so no join to reorder rows).
    """
    cells = []
    for column, alias in zip(columns, aliases):
        x = f'q."{alias}"'
        if column.kind == Kind.REPORTER and pseudonymised:
            cells.append(f"(%s::jsonb ->> ({x})::text)")  # pseudonyms never look like formulas
        else:
            cells.append(SQL_CELL[column.kind].format(x=x))
    # A plain projection of an ordered subquery keeps its order. The uncorrelated subquery in WHERE
    # runs once, before the first row is formatted (an InitPlan gating the scan), and pins float8's
    # text to the shortest digits that read back as the same float (as formats.number_text's do),
    # whatever the session's extra_float_digits (0 would round to 15 digits); is_local, so it lasts
    # no longer than the transaction (in autocommit, the COPY).
    return (f"COPY (SELECT {', '.join(cells)} FROM ({inner_sql}) AS q"
            f" WHERE (SELECT set_config('extra_float_digits', '1', true)) IS NOT NULL) TO STDOUT WITH (FORMAT csv)")
