"""Every corpus phrase yields exactly the expected facts, with exact surfaces and spans."""
import pytest

from surveys.engine import extract_facts
from tests.engine.corpus import ANY, CORPUS, REFERENCE


def _shape(fact, due):
    return (fact.metric, fact.low, fact.high, fact.unit, fact.qualifier, fact.status_value,
            ANY if due is ANY else fact.due_date)


@pytest.mark.parametrize(("text", "expected"), CORPUS, ids=[row[0] for row in CORPUS])
def test_corpus_phrase(text, expected):
    facts = extract_facts(text, reference_date=REFERENCE)
    got = sorted((_shape(f, e[6]) for f, e in zip(facts, expected)), key=repr)
    assert len(facts) == len(expected), facts
    # pair facts to expectations in order of appearance; the corpus lists them in text order
    assert [_shape(f, e[6]) for f, e in zip(facts, expected)] == [tuple(e) for e in expected], got
    for fact in facts:
        assert text[fact.span[0]:fact.span[1]] == fact.surface
        assert fact.surface
