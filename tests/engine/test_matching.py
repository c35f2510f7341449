"""Claims against observations: the product example's three discrepancies and the non-events."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from surveys.engine import ClaimInput, MatchSettings, ObservationInput, is_target_claim, match_claim
from surveys.vocab import CANONICAL_UNIT, DiscrepancyKind, Metric, Qualifier, Severity, Status

CST = timezone(timedelta(hours=8))
VISIT = datetime(2025, 10, 14, 15, 0, tzinfo=CST)


def claim(metric=Metric.HEADCOUNT, low=2500, high=2500, qualifier=Qualifier.EXACT, *, text="employs 2,500 people",
          status=None, due=None, is_target=False, source="Provincial press release", published=date(2025, 1, 15)):
    return ClaimInput(id="c1", metric=metric, low=low, high=high, unit=CANONICAL_UNIT[metric],
                      qualifier=qualifier, status_value=status, due_date=due, text=text, source_name=source,
                      published_on=published, is_target=is_target)


def obs(low=600, high=700, *, id="o1", visit="v1", at=VISIT, metric=Metric.HEADCOUNT, unit="person",
        qualifier=Qualifier.RANGE, status=None, confidence=0.5, rejected=False, quote="",
        method="interview", role="worker"):
    return ObservationInput(id=id, visit_id=visit, visited_at=at, metric=metric, low=low, high=high, unit=unit,
                            qualifier=qualifier, status_value=status, confidence=confidence, rejected=rejected,
                            quote=quote, method=method, source_role=role)


ENTERPRISE_CLAIM = claim(Metric.ENTERPRISES, 150, None, Qualifier.AT_LEAST,
                         text="more than 150 enterprises have settled in the park",
                         source="Hengda Park operator's website")
GUARD = obs(24, 99, metric=Metric.ENTERPRISES, unit="enterprise", qualifier=Qualifier.VAGUE, confidence=0.3,
            role="security guard", quote="门卫说园区里实际只有几十家企业")


def test_enterprises_a_few_dozen_against_more_than_150_is_high():
    f = match_claim(ENTERPRISE_CLAIM, [GUARD])
    assert f.kind == DiscrepancyKind.NUMERIC and f.severity == Severity.HIGH
    assert f.ratio == pytest.approx(0.41)
    assert f.claimed == {"low": 150, "high": None, "unit": "enterprise", "status_value": None, "due_date": None}
    assert f.observed == {"low": 24, "high": 99, "unit": "enterprise", "status_value": None}
    assert f.observation_ids == ["o1"] and f.observed_visit_id == "v1"
    assert f.explanation == (
        "Hengda Park operator's website (published 2025-01-15) claims more than 150 enterprises; "
        "on 2025-10-14 a security guard said a few dozen (24–99) enterprises, 0.41× the claim.")
    assert "门卫" in f.explanation_zh and "0.41" in f.explanation_zh


def test_headcount_target_is_lowered_to_medium_and_says_target():
    c = claim(text="will employ 2,500 people after reaching full production")
    f = match_claim(c, [obs()])
    assert f.ratio == pytest.approx(0.26) and f.severity == Severity.MEDIUM
    assert "target" in f.explanation and "2,500" in f.explanation and "600–700" in f.explanation
    assert f.explanation_zh == ""  # English claim, English notes


def test_is_target_flag_lowers_severity_without_target_wording():
    f = match_claim(claim(is_target=True), [obs()])
    assert f.severity == Severity.MEDIUM


def test_future_due_date_makes_a_numeric_claim_a_target():
    f = match_claim(claim(due=date(2026, 12, 31)), [obs()])
    assert f.severity == Severity.MEDIUM and "target" in f.explanation


def test_medium_gap_on_a_target_becomes_low():
    f = match_claim(claim(text="will employ 2,500 people"), [obs(1400, 1500)])
    assert f.severity == Severity.LOW


def test_moderate_gap_is_medium():
    f = match_claim(claim(), [obs(1400, 1500)])
    assert f.ratio == pytest.approx(0.58) and f.severity == Severity.MEDIUM


def test_phase_two_overdue_status_is_a_high_timeline_discrepancy():
    c = claim(Metric.STATUS, None, None, text="to be put into production by June", status=Status.OPERATING,
              due=date(2025, 6, 30), published=date(2025, 3, 10))
    seen = obs(None, None, metric=Metric.STATUS, unit="", qualifier=Qualifier.EXACT, status=Status.NOT_STARTED,
               method="estimated", role="", quote="二期用地杂草丛生，未见施工")
    f = match_claim(c, [seen])
    assert (f.kind, f.severity, f.ratio) == (DiscrepancyKind.TIMELINE, Severity.HIGH, None)
    assert f.claimed["due_date"] == "2025-06-30" and f.claimed["status_value"] == "operating"
    assert f.observed["status_value"] == "not_started"
    assert "2025-03-10" in f.explanation and "2025-10-14" in f.explanation and "2025-06-30" in f.explanation
    assert "未开工" in f.explanation_zh


def test_status_behind_without_due_date_is_medium_status():
    c = claim(Metric.STATUS, None, None, text="the plant is in operation", status=Status.OPERATING)
    seen = obs(None, None, metric=Metric.STATUS, unit="", status=Status.UNDER_CONSTRUCTION)
    f = match_claim(c, [seen])
    assert (f.kind, f.severity) == (DiscrepancyKind.STATUS, Severity.MEDIUM)


def test_status_due_later_is_reported_one_step_lower():
    c = claim(Metric.STATUS, None, None, text="to be put into production by June", status=Status.OPERATING,
              due=date(2025, 12, 31))
    seen = obs(None, None, metric=Metric.STATUS, unit="", status=Status.NOT_STARTED)
    f = match_claim(c, [seen])
    assert (f.kind, f.severity) == (DiscrepancyKind.STATUS, Severity.LOW)


@pytest.mark.parametrize("seen", [Status.IDLE, Status.CLOSED])
def test_idle_or_closed_contradicts_operating(seen):
    c = claim(Metric.STATUS, None, None, text="in operation", status=Status.OPERATING)
    f = match_claim(c, [obs(None, None, metric=Metric.STATUS, unit="", status=seen)])
    assert f is not None and f.kind == DiscrepancyKind.STATUS


@pytest.mark.parametrize(("claimed", "seen"), [
    (Status.OPERATING, Status.OPERATING),
    (Status.UNDER_CONSTRUCTION, Status.OPERATING),
    (Status.PLANNED, Status.NOT_STARTED),
    (Status.NOT_STARTED, Status.IDLE),
])
def test_status_not_behind_is_no_finding(claimed, seen):
    c = claim(Metric.STATUS, None, None, text="", status=claimed)
    assert match_claim(c, [obs(None, None, metric=Metric.STATUS, unit="", status=seen)]) is None


def test_close_figure_is_no_finding():
    assert match_claim(claim(), [obs(2400, 2400, qualifier=Qualifier.EXACT)]) is None


def test_overlapping_range_is_no_finding():
    assert match_claim(claim(), [obs(2000, 3000)]) is None


def test_at_least_claim_met_is_no_finding():
    assert match_claim(ENTERPRISE_CLAIM, [replace(GUARD, low=160, high=None)]) is None


def test_ratio_band_is_configurable():
    narrow = MatchSettings(ratio_band=(0.99, 1.01))
    f = match_claim(claim(), [obs(2400, 2400)], settings=narrow)
    assert f is not None and f.severity == Severity.MEDIUM


def test_latest_visit_decides_and_lists_every_contradicting_observation():
    old = obs(id="old", visit="v0", at=VISIT - timedelta(days=30))
    new_low = obs(500, 500, id="new-guess", confidence=0.3)
    new_count = obs(650, 650, id="new-count", confidence=0.9, method="counted", role="")
    f = match_claim(claim(), [new_low, old, new_count])
    assert f.observed["low"] == 650 and f.observed_visit_id == "v1"
    assert "the reporter counted" in f.explanation
    assert f.observation_ids == ["old", "new-guess", "new-count"]


def test_latest_visit_agreeing_means_no_finding():
    old = obs(id="old", visit="v0", at=VISIT - timedelta(days=30))
    new = obs(2500, 2500, id="new", visit="v2")
    assert match_claim(claim(), [old, new]) is None


def test_rejected_observations_are_ignored_everywhere():
    rejected = obs(100, 100, id="bad", confidence=1.0, rejected=True)
    f = match_claim(claim(), [rejected, obs(id="good")])
    assert f.observation_ids == ["good"] and f.observed["low"] == 600
    assert match_claim(claim(), [rejected]) is None
    later_rejected = obs(100, 100, id="bad2", at=VISIT + timedelta(days=1), rejected=True)
    assert match_claim(claim(), [obs(2500, 2500), later_rejected]) is None


def test_unit_mismatch_gives_no_finding():
    assert match_claim(claim(), [obs(unit="enterprise")]) is None


def test_no_observations_no_finding():
    assert match_claim(claim(), []) is None


def test_is_target_claim_helper():
    at = date(2025, 10, 14)
    assert is_target_claim("will employ 2,500", None, at)
    assert is_target_claim("预计年产值50亿元", None, at)
    assert is_target_claim("达产后年产120万吨", None, at)
    assert is_target_claim("计划投资80亿元", None, at)
    assert is_target_claim("employs 2,500", date(2026, 1, 1), at)
    assert not is_target_claim("employs 2,500", date(2025, 1, 1), at)
    assert not is_target_claim("将近600人", None, at)


def test_money_is_compared_in_its_own_currency_only():
    dollars = ClaimInput(id="c2", metric=Metric.INVESTMENT, low=5e8, high=5e8, unit="USD", qualifier=Qualifier.EXACT,
                         status_value=None, due_date=None, text="总投资5亿美元", source_name="", published_on=None)
    in_yuan = obs(5e8, 5e8, metric=Metric.INVESTMENT, unit="CNY", confidence=0.9)
    in_dollars = obs(1e8, 1e8, id="o2", metric=Metric.INVESTMENT, unit="USD", confidence=0.5)
    assert match_claim(dollars, [in_yuan]) is None  # the same digits in yuan say nothing about dollars
    finding = match_claim(dollars, [in_yuan, in_dollars])
    assert finding.observation_ids == ["o2"] and finding.ratio == 0.2
    assert "US dollars" in finding.explanation and "美元" in finding.explanation_zh
