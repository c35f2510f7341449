"""Query-parameter parsing that answers 400, never 500, on bad values."""
import uuid

from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError


def datetime_param(params, name: str):
    raw = params.get(name)
    if not raw:
        return None
    value = _parse(parse_datetime, raw)
    if value is None:
        day = _parse(parse_date, raw)
        if day is None:
            raise ValidationError({name: ["Expected an ISO 8601 date or date-time."]})
        from datetime import datetime, timezone

        value = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    if value.tzinfo is None:
        from datetime import timezone

        value = value.replace(tzinfo=timezone.utc)
    return value


def uuid_param(raw: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationError({name: ["Expected a UUID."]}) from None


def _parse(parser, raw: str):
    try:
        return parser(raw)
    except ValueError:  # well-formed but impossible, e.g. month 13
        return None
