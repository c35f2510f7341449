"""Reads of sites on hot paths."""
import functools

from django.db import connection

from surveys.models import Site
from surveys.selectors.rows import columns, instance_from_row

# What a visit needs of its site: where it is (the distance checks) and whether it was merged.
POSITION_FIELDS = ("id", "latitude", "longitude", "merged_into")


@functools.cache
def _position_sql() -> str:
    quote = connection.ops.quote_name
    return (f"SELECT {', '.join(columns('s', Site, POSITION_FIELDS))} FROM {quote(Site._meta.db_table)} s"
            f" WHERE s.{quote(Site._meta.pk.column)} = %s")


def site_position(pk: int) -> Site | None:
    """The site `pk` with only its position and merge pointer loaded (the rest deferred), or None.

    Hand-written, like the token lookup: it runs on every visit posted, and building the
    same one-row query through the ORM costs about three times the CPU of running it.
    """
    low, high = connection.ops.integer_field_range(Site._meta.pk.get_internal_type())
    if not low <= pk <= high:
        return None  # no row has an id the column cannot hold (and the driver would refuse it)
    with connection.cursor() as cursor:
        cursor.execute(_position_sql(), [pk])
        row = cursor.fetchone()
    return None if row is None else instance_from_row(Site, row, POSITION_FIELDS)
