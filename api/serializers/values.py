"""Serializer fields shared by the resources that carry the contract's value shape."""
from rest_framework import serializers


def finite_float(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, required=False, **kwargs)
