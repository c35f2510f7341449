import pytest

from surveys.models import Discrepancy
from surveys.services.demo import load_demo


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data = load_demo(with_users=False)
    return data


def _by_metric():
    return {d.metric: d for d in Discrepancy.objects.select_related("site")}


def test_demo_yields_exactly_the_three_discrepancies_of_the_product_doc(demo):
    found = _by_metric()
    assert set(found) == {"enterprises", "headcount", "status"}

    enterprises = found["enterprises"]
    assert enterprises.site.name == "Xinhe Industrial Park"
    assert (enterprises.kind, enterprises.severity) == ("numeric", "high")
    assert enterprises.ratio == pytest.approx(0.41, abs=0.01)

    headcount = found["headcount"]
    assert headcount.site.name == "Hengda PV Glass, Phase 1"
    assert (headcount.kind, headcount.severity) == ("numeric", "medium")
    assert "target" in headcount.explanation

    timeline = found["status"]
    assert timeline.site.name == "Hengda PV Glass, Phase 2"
    assert (timeline.kind, timeline.severity) == ("timeline", "high")
    assert all(d.status == "open" for d in found.values())


def test_demo_negative_cases_yield_nothing(demo):
    """The area claim has no observation and the output claim no figure on the ground."""
    assert not Discrepancy.objects.filter(metric__in=["area", "output_mass"]).exists()


def test_loading_the_demo_twice_changes_nothing(demo, django_capture_on_commit_callbacks):
    before = list(Discrepancy.objects.order_by("pk").values("pk", "ratio", "severity", "explanation", "updated_at"))
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(with_users=False)
    after = list(Discrepancy.objects.order_by("pk").values("pk", "ratio", "severity", "explanation", "updated_at"))
    assert after == before
