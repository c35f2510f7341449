"""A ModelSerializer that introspects its model once per class, not once per request."""
import copy

from django.db import models
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """Text only, as the schema says: a number or a boolean is refused, not turned into its digits."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _field_copy(field):
    # A plain field holds nothing an instance changes but what bind() sets, so a shallow
    # copy is enough; fields with children (lists, nested serializers) bind those to
    # themselves and need a full copy.
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child"):
        return copy.deepcopy(field)
    return copy.copy(field)


class ModelSerializer(serializers.ModelSerializer):
    """DRF rebuilds every model field from the model's metadata on each instantiation.

    The result depends only on the class (its Meta and declared fields), so it is built
    once; each instance gets its own copies, which it may then adjust (a scoped queryset,
    a field made read-only) without touching the others.
    """

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.CharField: StrictCharField, models.TextField: StrictCharField}

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()
            cls._fields_template = template
        return {name: _field_copy(field) for name, field in template.items()}

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        """A field made read-only keeps `allow_blank`, so that the schema says it may be ""."""
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs
