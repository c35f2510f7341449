"""Issue 16's families: every corpus row passes; the report (conftest.py) prints precision and
recall per family, and the exact-figure and spurious rates on the held-out rows."""
import pytest

from tests.engine.families import FAMILIES
from tests.engine.heldout import HELDOUT
from tests.engine.scoring import read, same

ROWS = [(family, text, expected) for family, rows in FAMILIES.items() for text, expected in rows]


@pytest.mark.parametrize(("family", "text", "expected"), ROWS, ids=[f"{r[0]}: {r[1]}" for r in ROWS])
def test_family_row(family, text, expected):
    facts = read(text)
    assert len(facts) == len(expected) and all(same(f, e) for f, e in zip(facts, expected)), facts
    for fact in facts:
        assert fact.surface and text[fact.span[0]:fact.span[1]] == fact.surface


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_has_15_positive_and_5_negative_rows_in_both_languages(family):
    rows = FAMILIES[family]
    assert sum(bool(expected) for _, expected in rows) >= 15
    assert sum(not expected for _, expected in rows) >= 5
    assert any(text.isascii() for text, _ in rows) and any(not text.isascii() for text, _ in rows)


def test_held_out_rows_cover_the_same_families_and_none_is_in_the_corpus():
    assert set(HELDOUT) == set(FAMILIES)
    corpus_texts = {text for rows in FAMILIES.values() for text, _ in rows}
    assert not corpus_texts & {text for rows in HELDOUT.values() for text, _ in rows}
