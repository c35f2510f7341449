"""The metrics' names on pages come from the engine's table, in the active language."""
import pytest
from django.utils import translation

from surveys.models import Claim
from surveys.vocab import Metric
from surveys.web.presenters import vocab_options


@pytest.mark.parametrize(("language", "label"), [("en", "power capacity"), ("zh-hans", "装机容量（兆瓦）")])
def test_metric_display_and_filter_options_follow_the_language(language, label):
    with translation.override(language):
        assert Claim(metric=Metric.POWER).get_metric_display() == label
        assert dict(vocab_options(Metric))["power"] == label
        assert Claim(metric=Metric.HEADCOUNT).get_metric_display() == ("用工人数" if language != "en" else "headcount")
