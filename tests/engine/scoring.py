"""Comparing what the engine reads with what a row expects, and scoring a set of rows."""
import math
from dataclasses import dataclass

from surveys.engine import extract_facts
from tests.engine.corpus import ANY, REFERENCE


def shape(fact, expected_due=None) -> tuple:
    due = ANY if expected_due is ANY else fact.due_date
    return (fact.metric, fact.low, fact.high, fact.unit, fact.qualifier, fact.status_value, due)


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9)
    return a == b


def same(fact, expected: tuple) -> bool:
    got = shape(fact, expected[6])
    return all(_close(g, e) or (g is None and e is None) for g, e in zip(got, expected))


def read(text: str):
    return extract_facts(text, reference_date=REFERENCE)


@dataclass
class Score:
    expected: int = 0
    produced: int = 0
    matched: int = 0
    rows: int = 0
    rows_right: int = 0

    def add(self, facts, expected: list) -> None:
        unmatched = list(expected)
        for fact in facts:
            hit = next((e for e in unmatched if same(fact, e)), None)
            if hit is not None:
                unmatched.remove(hit)
                self.matched += 1
        self.expected += len(expected)
        self.produced += len(facts)
        self.rows += 1
        self.rows_right += not unmatched and len(facts) == len(expected)

    def add_score(self, other: "Score") -> None:
        for name in ("expected", "produced", "matched", "rows", "rows_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float:
        return self.matched / self.produced if self.produced else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def spurious(self) -> float:
        """Figures produced that no row expected, per expected figure."""
        return (self.produced - self.matched) / self.expected if self.expected else float(self.produced > 0)


def score(rows) -> Score:
    result = Score()
    for text, expected in rows:
        result.add(read(text), expected)
    return result
