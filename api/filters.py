"""Query-parameter parsing that answers 400, never 500, on bad values."""
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from surveys.selectors.instants import instant_parse


def datetime_param(params, name: str):
    try:
        return instant_parse(params.get(name))
    except DjangoValidationError as error:
        raise ValidationError({name: error.messages}) from None


def uuid_param(raw: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationError({name: ["Expected a UUID."]}) from None

