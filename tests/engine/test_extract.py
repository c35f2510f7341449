"""Claims and reporter notes: the product example, contracts of extract_claim, attribution."""
from datetime import date

import pytest

from surveys.engine import (
    AmbiguousClaim, Fact, NothingExtracted, extract_claim, extract_facts, extract_observations,
)
from surveys.vocab import Method, Metric, Qualifier, Status


def test_claim_more_than_150_enterprises_is_open_ended():
    fact = extract_claim("more than 150 enterprises have settled in the park")
    assert (fact.metric, fact.low, fact.high, fact.unit, fact.qualifier) == (
        Metric.ENTERPRISES, 150, None, "enterprise", Qualifier.AT_LEAST)
    assert fact.best == 150


def test_claim_with_two_metrics_is_ambiguous_and_lists_candidates():
    text = ("will employ 2,500 people after reaching full production, "
            "with annual output of 1.2 million tons")
    with pytest.raises(AmbiguousClaim) as exc:
        extract_claim(text)
    headcount, output = exc.value.candidates
    assert (headcount.metric, headcount.low, headcount.is_target) == (Metric.HEADCOUNT, 2500, True)
    assert (output.metric, output.low, output.unit) == (Metric.OUTPUT_MASS, 1.2e6, "t/yr")


def test_metric_argument_picks_one_candidate():
    text = ("will employ 2,500 people after reaching full production, "
            "with annual output of 1.2 million tons")
    fact = extract_claim(text, metric=Metric.HEADCOUNT)
    assert (fact.metric, fact.low, fact.high, fact.is_target) == (Metric.HEADCOUNT, 2500, 2500, True)


def test_status_claim_with_relative_due_date_reads_against_publication():
    fact = extract_claim("to be put into production by June", published_on=date(2025, 3, 10))
    assert (fact.metric, fact.status_value, fact.due_date) == (
        Metric.STATUS, Status.OPERATING, date(2025, 6, 30))
    assert fact.unit == "" and fact.low is None and fact.high is None


def test_by_june_after_june_means_next_june():
    fact = extract_claim("to be put into production by June", published_on=date(2025, 7, 1))
    assert fact.due_date == date(2026, 6, 30)


def test_same_metric_twice_gives_the_first_figure():
    fact = extract_claim("Phase 1 employs 600 people and phase 2 will add 900 workers")
    assert (fact.metric, fact.low) == (Metric.HEADCOUNT, 600)


@pytest.mark.parametrize("text", ["", "The park was renamed in 2025.", "二期", "call 138-1234-5678"])
def test_nothing_extractable_raises(text):
    with pytest.raises(NothingExtracted):
        extract_claim(text)


def test_metric_not_in_text_raises_nothing_extracted():
    with pytest.raises(NothingExtracted):
        extract_claim("more than 150 enterprises", metric=Metric.HEADCOUNT)


def test_nothing_extracted_and_ambiguous_are_value_errors():
    assert issubclass(NothingExtracted, ValueError) and issubclass(AmbiguousClaim, ValueError)


def _one(notes, **kw):
    facts = extract_observations(notes, **kw)
    assert len(facts) == 1, facts
    return facts[0]


def test_chinese_guard_quote_is_a_vague_interview():
    f = _one("门卫说园区里实际只有几十家企业")
    assert (f.metric, f.low, f.high, f.qualifier) == (Metric.ENTERPRISES, 24, 99, Qualifier.VAGUE)
    assert (f.method, f.source_role) == (Method.INTERVIEW, "security guard")


def test_chinese_headcount_range():
    f = _one("一期约六七百人上班")
    assert (f.metric, f.low, f.high, f.unit) == (Metric.HEADCOUNT, 600, 700, "person")


def test_chinese_weeds_mean_not_started():
    f = _one("二期用地杂草丛生，未见施工")
    assert (f.metric, f.status_value) == (Metric.STATUS, Status.NOT_STARTED)
    assert f.surface == "杂草丛生，未见施工"


def test_english_notes_of_the_product_example():
    notes = ("Weekday afternoon, gate open, 40-50 cars are parked. A worker at the canteen said "
             "about 600-700 people work a shift. The park's guard says only a few dozen companies "
             "are actually here. Phase 2: a fenced plot with a signboard, an empty guard room and weeds.")
    facts = extract_observations(notes, visit_date=date(2025, 10, 14))
    shapes = [(f.metric, f.low, f.high, f.method, f.source_role, f.status_value) for f in facts]
    assert shapes == [
        (Metric.HEADCOUNT, 600, 700, Method.INTERVIEW, "worker", None),
        (Metric.ENTERPRISES, 24, 99, Method.INTERVIEW, "security guard", None),
        (Metric.STATUS, None, None, Method.ESTIMATED, "", Status.NOT_STARTED),
    ]
    assert all(notes[f.span[0]:f.span[1]] == f.surface for f in facts)


@pytest.mark.parametrize(("notes", "method", "role"), [
    ("We counted 45 workers leaving at the shift change", Method.COUNTED, ""),
    ("我们数了一下，有45名工人下班", Method.COUNTED, ""),
    ("The signboard says 3,000 jobs", Method.SIGNAGE, ""),
    ("公示牌显示总投资80亿元", Method.SIGNAGE, ""),
    ("I estimated about 300 workers", Method.ESTIMATED, ""),
    ("according to a security guard, 300 workers", Method.INTERVIEW, "security guard"),
    ("员工说大概有三百人", Method.INTERVIEW, "employee"),
    ("保安称只有几十家企业", Method.INTERVIEW, "security guard"),
    ("600 people work here, said one worker", Method.INTERVIEW, "worker"),
])
def test_method_and_speaker_are_inferred(notes, method, role):
    f = _one(notes)
    assert (f.method, f.source_role) == (method, role)


def test_confidence_orders_counted_signage_estimated_interview_vague():
    counted = _one("We counted 45 workers")
    signage = _one("The signboard says 45 workers")
    estimated = _one("about 45 workers")
    interview = _one("a guard said 45 workers")
    vague = _one("a guard said dozens of workers")
    values = [f.confidence for f in (counted, signage, estimated, interview, vague)]
    assert values == sorted(values, reverse=True) and len(set(values)) == 5
    assert all(0 <= v <= 1 for v in values)


def test_parked_cars_never_become_headcount():
    facts = extract_observations("40-50 cars are parked outside the gate")
    assert not [f for f in facts if f.metric == Metric.HEADCOUNT]


def test_target_wording_marks_facts():
    assert extract_facts("预计达产后年产值50亿元")[0].is_target
    assert extract_facts("expected to employ 3,000")[0].is_target
    assert not extract_facts("the plant employs 3,000 people")[0].is_target


def test_best_is_midpoint_or_open_bound():
    def fact(low, high):
        return Fact(Metric.HEADCOUNT, low, high, "person", Qualifier.RANGE)
    assert fact(600, 700).best == 650
    assert fact(150, None).best == 150
    assert fact(None, 100).best == 100
    assert fact(None, None).best is None
