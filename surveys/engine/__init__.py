"""Pure-Python extraction and matching engine: plain data in, plain data out, no ORM."""
from surveys.engine.entities import LinkProposal, link_proposals, name_keys, same_entity
from surveys.engine.extract import (
    AmbiguousClaim, NothingExtracted, extract_claim, extract_facts, extract_observations,
)
from surveys.engine.facts import Fact
from surveys.engine.matching import (
    ClaimInput, Finding, MatchSettings, ObservationInput, is_target_claim, match_claim,
)

__all__ = [
    "AmbiguousClaim", "ClaimInput", "Fact", "Finding", "LinkProposal", "MatchSettings",
    "NothingExtracted", "ObservationInput", "extract_claim", "extract_facts", "extract_observations",
    "is_target_claim", "link_proposals", "match_claim", "name_keys", "same_entity",
]
