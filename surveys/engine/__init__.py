"""Pure-Python extraction and matching engine: plain data in, plain data out, no ORM.

How a text becomes facts (docs/engine.md has the long version): numbers.py finds numerals,
units.py the unit word after each, extract.py reads qualifiers, rates and cue words around it and
picks the metric; statuses.py, dates.py and vague.py read the rest. Every word comes from
metrics.py (what is special to one metric or currency) or words/<language>.py (everything else).

Adding a metric, step by step:
1. Add a row to METRICS in metrics.py: key, canonical unit, pint unit, labels and unit labels
   in every language, unit words per language (and cue words if a bare figure may name it).
   surveys.vocab.Metric, the unit patterns, the explanations and the desk's labels follow.
2. Add corpus rows (tests/engine/corpus.py or a family in tests/engine/families.py) for the
   new unit words, and negatives for the words it must not take.
3. `manage.py makemigrations surveys`: the metric choices are database check constraints.
4. If the unit is new to pint, define it next to the others at the top of units.py.
Adding a currency is one row in CURRENCIES (metrics.py) and a few corpus rows.
"""
import importlib

_EXPORTS = {
    "LinkProposal": "entities", "link_proposals": "entities", "name_keys": "entities", "same_entity": "entities",
    "AmbiguousClaim": "extract", "NothingExtracted": "extract", "extract_claim": "extract",
    "extract_facts": "extract", "extract_observations": "extract",
    "Fact": "facts",
    "ClaimInput": "matching", "Finding": "matching", "MatchSettings": "matching", "ObservationInput": "matching",
    "is_target_claim": "matching", "match_claim": "matching",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Loaded on first use, so that surveys.vocab can read metrics.py without loading the engine.
    if name not in _EXPORTS:
        raise AttributeError(f"module 'surveys.engine' has no attribute {name!r}")
    return getattr(importlib.import_module(f"surveys.engine.{_EXPORTS[name]}"), name)
