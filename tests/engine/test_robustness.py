"""Any text is read without error: spans are exact, bounds ordered, units canonical."""
import random

from surveys.engine import AmbiguousClaim, NothingExtracted, extract_claim, extract_observations
from surveys.engine.metrics import units_of
from tests.engine.families import FAMILIES

_PIECES = list("0123456789,.-~至到万亿千百十一二两三四五六七八九零〇壹贰叁点几多余来把元块钱美港人名家吨亩 ()（）%$€¥￥１２，") + [
    "MW", "GWh", " million", " billion", "k", "M", "B", " to ", " and ", "between ", "about ", "约", "超过", "不足",
    "以上", "左右", " workers", " the ", "投资", "年产", "停产", "在建", "of the "]
_TEXTS = [text for rows in FAMILIES.values() for text, _ in rows]


def _random_texts(count: int, seed: int = 16):
    rng = random.Random(seed)
    for _ in range(count):
        if rng.random() < 0.5:
            yield "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 40)))
        else:  # two corpus rows spliced at random points, with some noise between
            a, b = rng.choice(_TEXTS), rng.choice(_TEXTS)
            yield a[:rng.randint(0, len(a))] + rng.choice(_PIECES) + b[rng.randint(0, len(b)):]


def test_random_text_reads_into_well_formed_facts():
    for text in _random_texts(1500):
        for fact in extract_observations(text):
            assert text[fact.span[0]:fact.span[1]] == fact.surface, text
            assert fact.low is None or fact.high is None or fact.low <= fact.high, text
            assert fact.status_value or fact.unit in units_of(fact.metric.value), text
        try:
            extract_claim(text)
        except (NothingExtracted, AmbiguousClaim):
            pass


def test_a_long_text_without_punctuation_is_read_figure_by_figure():
    text = "员工300人 投资5亿美元 " * 400
    facts = extract_observations(text)
    assert len(facts) == 800
    assert {(f.metric.value, f.low, f.unit) for f in facts} == {("headcount", 300, "person"),
                                                                ("investment", 5e8, "USD")}
