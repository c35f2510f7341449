"""What the engine reads in a sentence, for people trying it (`manage.py extract`, the desk's
"try a sentence" page): every fact as a reporter's note would give it, and the one fact the text
makes as an official claim, or why it makes none."""
from dataclasses import dataclass, field
from datetime import date

from surveys.engine import AmbiguousClaim, NothingExtracted, extract_claim, extract_observations

MAX_TEXT = 5000  # a paragraph; the engine reads whole notes, this is for trying sentences


@dataclass
class SentenceReading:
    text: str
    reference_date: str
    facts: list[dict] = field(default_factory=list)  # Fact.as_dict() of each fact, in order
    claim: dict | None = None  # the claim's one fact
    claim_problem: str = ""  # why there is none: nothing read, or figures for several metrics


def sentence_reading(*, text: str, reference_date: date) -> SentenceReading:
    """`text` read as notes and as a claim; relative dates ("by June") read against `reference_date`."""
    reading = SentenceReading(text=text, reference_date=reference_date.isoformat())
    reading.facts = [f.as_dict() for f in extract_observations(text, visit_date=reference_date)]
    try:
        reading.claim = extract_claim(text, published_on=reference_date).as_dict()
    except (AmbiguousClaim, NothingExtracted) as exc:
        reading.claim_problem = str(exc)
    return reading
