"""A claim's metric and values read from its quoted text, per the contract's rules."""
from datetime import date

from surveys.errors import ClaimTextAmbiguous, ClaimTextUnreadable
from surveys.vocab import Metric

VALUE_FIELDS = ("low", "high", "status_value")


def _fact_values(fact) -> dict:
    return {
        "metric": fact.metric.value, "low": fact.low, "high": fact.high, "unit": fact.unit,
        "qualifier": fact.qualifier.value, "status_value": fact.status_value.value if fact.status_value else "",
        "due_date": fact.due_date, "is_target": fact.is_target,
    }


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
        candidates = [
            {"metric": f.metric.value, "low": f.low, "high": f.high, "unit": f.unit, "qualifier": f.qualifier.value,
             "status_value": f.status_value.value if f.status_value else None, "surface": f.surface}
            for f in exc.candidates
        ]
        metrics = ", ".join(c["metric"] for c in candidates)
        raise ClaimTextAmbiguous(f"The text has figures for several metrics ({metrics}): give `metric` to pick one.",
                                 candidates=candidates) from None
    except NothingExtracted:
        wanted = f" for {metric}" if metric else ""
        raise ClaimTextUnreadable(f"No figure or status{wanted} could be read from the text: give the values.") from None
    return _fact_values(fact)


def claim_values_with_text(values: dict, *, creating: bool, published_on: date | None = None) -> dict:
    """`values` completed from the text where needed; values given explicitly win."""
    if not claim_needs_extraction(values, creating=creating):
        return values
    extracted = claim_values_from_text(text=values["text"], published_on=published_on, metric=values.get("metric"))
    explicit = {name: value for name, value in values.items() if value not in (None, "")}
    return {**values, **extracted, **explicit}
