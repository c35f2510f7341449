"""Helpers shared by the write services."""
import datetime as dt

from django.db import models


class ClientIdConflict(Exception):
    """A client id already used with other content, or by someone else. Reveals nothing more."""


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
