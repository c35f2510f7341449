"""The contract's value shape (low/high/unit/qualifier, or status_value): one rule for claims and observations."""
from django.core.exceptions import ValidationError

from surveys.engine.metrics import units_of
from surveys.vocab import CANONICAL_UNIT, Metric, Qualifier


def value_shape_validate(values: dict, *, instance=None) -> dict:
    """`values` (all or some fields of a claim or an observation) checked against the value shape,
    with the canonical unit and, on create, a qualifier filled in. Raises ValidationError by field."""
    def current(name, default=None):
        if name in values:
            return values[name]
        return getattr(instance, name, default) if instance is not None else default

    metric = current("metric")
    if metric is None:
        return values
    metric = Metric(metric)
    low, high = current("low"), current("high")
    errors = {}
    if metric == Metric.STATUS:
        if not current("status_value"):
            errors["status_value"] = ["Required when metric is status."]
        if low is not None or high is not None:
            errors["low"] = ["A status has no figures: use status_value."]
        values["unit"] = ""
    else:
        if current("status_value"):
            errors["status_value"] = ["Only for metric status."]
        if low is None and high is None:
            errors["low"] = ["Give low, high or both."]
        if low is not None and high is not None and low > high:
            errors["high"] = ["Must be greater than or equal to low."]
        for name, value in (("low", low), ("high", high)):
            if value is not None and value < 0:
                errors[name] = ["Must not be negative."]
        unit = current("unit") or CANONICAL_UNIT[metric]
        if unit not in units_of(metric):  # money may be in any currency of the table ("USD", "EUR/yr")
            errors["unit"] = [f"The unit of {metric.value} is {' or '.join(map(repr, units_of(metric)))}."]
        values["unit"] = unit
        if "qualifier" not in values and instance is None:
            values["qualifier"] = _default_qualifier(low, high)
    if errors:
        raise ValidationError(errors)
    return values


def fact_value_shape(fact) -> dict:
    """An engine fact's value shape as claims and observations store it (ValueShape's fields)."""
    return {"metric": fact.metric.value, "low": fact.low, "high": fact.high, "unit": fact.unit,
            "qualifier": fact.qualifier.value, "status_value": fact.status_value.value if fact.status_value else ""}


def _default_qualifier(low, high) -> Qualifier:
    if low is not None and high is not None:
        return Qualifier.EXACT if low == high else Qualifier.RANGE
    return Qualifier.AT_LEAST if low is not None else Qualifier.AT_MOST
