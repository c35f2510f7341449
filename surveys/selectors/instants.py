"""Instants that clients and commands give as text (filters, sync positions)."""
from datetime import datetime, timezone

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime

MESSAGE = "Expected an ISO 8601 date or date-time."


def instant_parse(raw: str | None) -> datetime | None:
    """An ISO 8601 date-time (UTC when it has no offset), or a date meaning its midnight UTC; None for
    nothing given. Raises ValidationError for anything else, impossible dates (month 13) included."""
    if not raw:
        return None
    value = _parse(parse_datetime, raw)
    if value is None:
        day = _parse(parse_date, raw)
        if day is None:
            raise ValidationError(MESSAGE, code="invalid")
        value = datetime(day.year, day.month, day.day)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _parse(parser, raw: str):
    try:
        return parser(raw)
    except ValueError:  # well-formed but impossible
        return None
