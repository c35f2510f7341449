"""Units the API accepts per metric come from the engine's table: money in any of its currencies,
every other metric in its one canonical unit; the power metric is a real metric."""
import pytest

from tests.matching.test_claims_api import post_claim

pytestmark = pytest.mark.django_db


def test_a_claim_in_dollars_is_stored_in_dollars(editor_client):
    response = post_claim(editor_client, text="The company will invest US$1.2 billion in the plant.")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["metric"], data["low"], data["unit"]) == ("investment", 1.2e9, "USD")


def test_money_in_a_currency_of_the_table_is_accepted_and_another_unit_is_400(editor_client):
    ok = post_claim(editor_client, text="annual sales", metric="output_value", low=4.5e7, high=4.5e7, unit="EUR/yr")
    assert ok.status_code == 201, ok.json()
    bad = post_claim(editor_client, text="staff", metric="headcount", low=10, high=10, unit="USD")
    assert bad.status_code == 400
    assert bad.json()["errors"]["unit"] == ["The unit of headcount is 'person'."]


def test_a_power_plant_becomes_a_power_claim_in_megawatts(editor_client):
    response = post_claim(editor_client, text="一期建设200兆瓦光伏电站")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["metric"], data["low"], data["unit"]) == ("power", 200.0, "MW")
