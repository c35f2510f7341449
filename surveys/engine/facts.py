"""The value every extractor returns: one fact pulled out of a piece of text."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from surveys.vocab import Method, Metric, Qualifier, Status


@dataclass(frozen=True)
class Fact:
    metric: Metric
    low: float | None  # None = open bound
    high: float | None
    unit: str  # canonical unit from CANONICAL_UNIT ("" for status)
    qualifier: Qualifier
    status_value: Status | None = None
    due_date: date | None = None
    surface: str = ""  # exact substring of the input text
    span: tuple[int, int] = (0, 0)  # text[span[0]:span[1]] == surface
    method: Method | None = None
    source_role: str = ""
    confidence: float = 0.5
    is_target: bool = False

    @property
    def best(self) -> float | None:
        return best_value(self.low, self.high)

    def as_dict(self) -> dict:
        """Every field as plain JSON values (enums as their strings, the due date in ISO form)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(span=list(self.span), due_date=self.due_date.isoformat() if self.due_date else None,
                      **{name: getattr(self, name).value if getattr(self, name) else None
                         for name in ("metric", "qualifier", "status_value", "method")})
        return values


def best_value(low: float | None, high: float | None) -> float | None:
    """The contract's best value: midpoint of a closed interval, else the one bound given."""
    if low is not None and high is not None:
        return (low + high) / 2
    return low if low is not None else high
