"""A ModelSerializer that introspects its model once per class, not once per request."""
import copy

from rest_framework import serializers


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

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()
            cls._fields_template = template
        return {name: _field_copy(field) for name, field in template.items()}
