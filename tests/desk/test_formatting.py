"""Figures, units, roles and times as the desk prints them, in English and Chinese."""
import datetime as dt

import pytest
from django.utils import translation

from surveys.web.formatting import distance_text, local_time, number_text, quantity_text, role_label


@pytest.fixture
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("value, text", [(600.0, "600"), (8000, "8,000"), (2.5, "2.5"), (1234.567, "1,234.57"),
                                         (1.2e6, "1.2 million"), (8e9, "8 billion"), (25000, "25,000"), (None, "?")])
def test_numbers_as_people_write_them(english, value, text):
    assert number_text(value) == text


@pytest.mark.parametrize("value, text", [(8000, "8,000"), (25000, "2.5 万"), (1.2e6, "120 万"), (8e9, "80 亿"),
                                         (600.0, "600")])
def test_numbers_in_chinese_use_wan_and_yi(chinese, value, text):
    assert number_text(value) == text


def test_quantities_in_english(english):
    assert quantity_text(600.0, 700.0, "person", "range") == "600-700 people"
    assert quantity_text(150, None, "enterprise", "at_least") == "at least 150 companies"
    assert quantity_text(None, 40, "person", "at_most") == "at most 40 people"
    assert quantity_text(40, 40, "person", "approx") == "about 40 people"
    assert quantity_text(24, 99, "enterprise", "vague") == "a few dozen (24-99) companies"
    assert quantity_text(8e9, 8e9, "CNY", "exact") == "8 billion yuan"
    assert quantity_text(2500, 2500, "person", "exact") == "2,500 people"


def test_quantities_in_chinese(chinese):
    assert quantity_text(600.0, 700.0, "person", "range") == "600-700 人"
    assert quantity_text(25000, 25000, "person", "exact") == "2.5 万人"
    assert quantity_text(8e9, 8e9, "CNY", "exact") == "80 亿元"
    assert quantity_text(150, None, "enterprise", "at_least") == "至少 150 家企业"
    assert quantity_text(1.2e6, 1.2e6, "t/yr", "exact") == "120 万吨/年"


def test_roles_in_chinese_use_the_engines_names(chinese):
    assert role_label("security guard") == "门卫"
    assert role_label("canteen worker") == "canteen worker"  # as the reporter wrote it


def test_distances(english):
    assert distance_text(35.4) == "35 m"
    assert distance_text(31200) == "31.2 km"


def test_times_in_the_sites_zone_with_the_zone_named():
    instant = dt.datetime(2025, 10, 14, 6, 30, tzinfo=dt.timezone.utc)
    shanghai = local_time(instant, "Asia/Shanghai")
    assert (shanghai.text, shanghai.zone, shanghai.offset, shanghai.utc) == (
        "2025-10-14 14:30", "Asia/Shanghai", "UTC+8", "2025-10-14 06:30 UTC")
    assert shanghai.iso == "2025-10-14T06:30:00Z"
    berlin = local_time(instant, "Europe/Berlin")
    assert (berlin.text, berlin.offset) == ("2025-10-14 08:30", "UTC+2")
    kolkata = local_time(instant, "Asia/Kolkata")
    assert kolkata.offset == "UTC+5:30"


def test_a_missing_or_unknown_zone_falls_back_to_the_desks(settings):
    settings.DESK_TIME_ZONE = "Asia/Shanghai"
    instant = dt.datetime(2025, 10, 14, 6, 30, tzinfo=dt.timezone.utc)
    assert local_time(instant, None).zone == "Asia/Shanghai"
    assert local_time(instant, "Mars/Olympus").zone == "Asia/Shanghai"
    settings.DESK_TIME_ZONE = "nowhere"
    assert local_time(instant, "").text == "2025-10-14 06:30"
