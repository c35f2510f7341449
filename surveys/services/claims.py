"""What makes a claim valid, and its metric and values read from its quoted text, per the contract's rules.

The API's serializer and the claims import both call `claim_values_validate`; the rules live here.
"""
from datetime import date

from django.core.exceptions import ValidationError

from surveys.errors import ClaimTextAmbiguous, ClaimTextUnreadable
from surveys.services.values import fact_value_shape, value_shape_validate
from surveys.vocab import Metric

VALUE_FIELDS = ("low", "high", "status_value")


def claim_needs_extraction(values: dict, *, creating: bool) -> bool:
    """Extract when text is given without figures (or, on create, without a metric)."""
    if not values.get("text"):
        return False
    if any(values.get(name) not in (None, "") for name in VALUE_FIELDS):
        return creating and not values.get("metric")
    return True


def claim_values_from_text(*, text: str, published_on: date | None = None, metric: str | None = None) -> dict:
    """The claim's metric, values, due date and target flag, read from `text`.

    Relative dates ("by June") are read against `published_on`. Raises ClaimTextAmbiguous
    (with the candidates) or ClaimTextUnreadable.
    """
    from surveys.engine import AmbiguousClaim, NothingExtracted, extract_claim

    try:
        fact = extract_claim(text, published_on=published_on, metric=Metric(metric) if metric else None)
    except AmbiguousClaim as exc:
        candidates = [{**fact_value_shape(f), "status_value": f.status_value.value if f.status_value else None,
                       "surface": f.surface} for f in exc.candidates]
        metrics = ", ".join(c["metric"] for c in candidates)
        raise ClaimTextAmbiguous(f"The text has figures for several metrics ({metrics}): give `metric` to pick one.",
                                 candidates=candidates) from None
    except NothingExtracted:
        wanted = f" for {metric}" if metric else ""
        raise ClaimTextUnreadable(f"No figure or status{wanted} could be read from the text: give the values.") from None
    return {**fact_value_shape(fact), "due_date": fact.due_date, "is_target": fact.is_target}


def claim_values_with_text(values: dict, *, creating: bool, published_on: date | None = None) -> dict:
    """`values` completed from the text where needed; values given explicitly win."""
    if not claim_needs_extraction(values, creating=creating):
        return values
    extracted = claim_values_from_text(text=values["text"], published_on=published_on, metric=values.get("metric"))
    explicit = {name: value for name, value in values.items() if value not in (None, "")}
    return {**values, **extracted, **explicit}


def claim_values_validate(values: dict, *, claim=None) -> dict:
    """The values of a new claim (`claim` None) or the changed ones of `claim`, checked and completed.

    A claim is about a site or an organization; figures missing beside a text are read from it
    (relative dates against `published_on`); a new claim needs a metric; the values have the
    contract's shape. Raises ValidationError by field, or a ClaimTextError for a text that gives
    no single claim (its candidates attached).
    """
    def current(name):
        return values.get(name, getattr(claim, name, None))

    if current("site") is None and current("organization") is None:
        raise ValidationError({"site": ["A claim is about a site or an organization."]})
    values = claim_values_with_text(values, creating=claim is None, published_on=current("published_on"))
    if claim is None and not values.get("metric"):
        raise ValidationError({"metric": ["This field is required."]})
    return value_shape_validate(values, instance=claim)
