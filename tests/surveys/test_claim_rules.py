"""The rules of a valid claim and of the value shape, as services (no serializer involved)."""
import pytest
from django.core.exceptions import ValidationError

from surveys.errors import ClaimTextAmbiguous, ClaimTextUnreadable
from surveys.services.claims import claim_values_validate
from surveys.services.values import value_shape_validate
from surveys.vocab import Qualifier
from tests.factories import ClaimFactory, SiteFactory

pytestmark = pytest.mark.django_db


def fields_of(error: ValidationError) -> set[str]:
    return set(error.message_dict)


def test_a_claim_needs_a_site_or_an_organization():
    with pytest.raises(ValidationError) as caught:
        claim_values_validate({"metric": "headcount", "low": 10})
    assert fields_of(caught.value) == {"site"}


def test_a_new_claim_gets_its_canonical_unit_and_a_qualifier_from_its_bounds():
    site = SiteFactory()
    values = claim_values_validate({"site": site, "metric": "headcount", "low": 10, "high": 20})
    assert (values["unit"], values["qualifier"]) == ("person", Qualifier.RANGE)
    values = claim_values_validate({"site": site, "metric": "enterprises", "low": 150})
    assert (values["unit"], values["qualifier"]) == ("enterprise", Qualifier.AT_LEAST)


def test_figures_are_read_from_the_text_and_explicit_values_win():
    site = SiteFactory()
    values = claim_values_validate({"site": site, "text": "The plant will employ 2,500 people."})
    assert (values["metric"], values["low"], values["high"]) == ("headcount", 2500, 2500)
    values = claim_values_validate({"site": site, "text": "The plant will employ 2,500 people.", "high": 3000})
    assert (values["low"], values["high"]) == (2500, 3000)


def test_a_text_without_a_single_claim_is_a_claim_text_error_with_its_candidates():
    site = SiteFactory()
    with pytest.raises(ClaimTextAmbiguous) as caught:
        claim_values_validate({"site": site, "text": "It will employ 2,500 people and make 1.2 million tons a year."})
    assert {c["metric"] for c in caught.value.candidates} == {"headcount", "output_mass"}
    with pytest.raises(ClaimTextUnreadable):
        claim_values_validate({"site": site, "text": "The company is proud of its heritage."})


def test_a_new_claim_without_metric_or_text_is_refused_and_an_edit_may_omit_it():
    site = SiteFactory()
    with pytest.raises(ValidationError) as caught:
        claim_values_validate({"site": site, "low": 5})
    assert fields_of(caught.value) == {"metric"}
    claim = ClaimFactory(site=site, metric="headcount", low=10, high=10, unit="person")
    assert claim_values_validate({"high": 12}, claim=claim)["high"] == 12


def test_an_edit_is_checked_against_the_stored_values():
    claim = ClaimFactory(site=SiteFactory(), metric="headcount", low=10, high=10, unit="person")
    with pytest.raises(ValidationError) as caught:
        claim_values_validate({"high": 5}, claim=claim)
    assert fields_of(caught.value) == {"high"}


@pytest.mark.parametrize("values, fields", [
    ({"metric": "headcount"}, {"low"}),
    ({"metric": "headcount", "low": -1}, {"low"}),
    ({"metric": "headcount", "low": 1, "unit": "t/yr"}, {"unit"}),
    ({"metric": "headcount", "low": 1, "status_value": "operating"}, {"status_value"}),
    ({"metric": "status"}, {"status_value"}),
    ({"metric": "status", "status_value": "operating", "low": 3}, {"low"}),
])
def test_the_value_shape_names_the_field_at_fault(values, fields):
    with pytest.raises(ValidationError) as caught:
        value_shape_validate(values)
    assert fields_of(caught.value) == fields


def test_money_may_be_in_another_currency_and_a_status_has_no_unit():
    assert value_shape_validate({"metric": "investment", "low": 5, "unit": "USD"})["unit"] == "USD"
    assert value_shape_validate({"metric": "status", "status_value": "operating", "unit": "x"})["unit"] == ""
