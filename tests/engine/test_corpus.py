"""Every corpus phrase yields exactly the expected facts, with exact surfaces and spans."""
import pytest

from surveys.engine import extract_facts
from tests.engine.corpus import ANY, CORPUS, REFERENCE


def _shape(fact, expected_due):
    due = ANY if expected_due is ANY else fact.due_date
    return (fact.metric, fact.low, fact.high, fact.unit, fact.qualifier, fact.status_value, due)


@pytest.mark.parametrize(("text", "expected"), CORPUS, ids=[row[0] for row in CORPUS])
def test_corpus_phrase(text, expected):
    facts = extract_facts(text, reference_date=REFERENCE)
    assert len(facts) == len(expected), facts
    # the corpus lists facts in order of appearance, as the engine returns them
    assert [_shape(f, e[6]) for f, e in zip(facts, expected)] == [tuple(e) for e in expected]
    for fact in facts:
        assert fact.surface and text[fact.span[0]:fact.span[1]] == fact.surface
