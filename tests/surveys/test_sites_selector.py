import pytest

from surveys.selectors.sites import site_position
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_site_position_loads_the_position_and_defers_the_rest(django_assert_num_queries):
    duplicate = SiteFactory(name="Hengda glass", latitude=31.19, longitude=121.19)
    canonical = SiteFactory()
    duplicate.merged_into = canonical
    duplicate.save()
    with django_assert_num_queries(1):
        site = site_position(duplicate.pk)
        assert (site.pk, site.latitude, site.longitude, site.merged_into_id) == (duplicate.pk, 31.19, 121.19,
                                                                                   canonical.pk)
    assert site.get_deferred_fields() >= {"name", "aliases", "radius_m"}
    assert site.name == "Hengda glass"  # a deferred field still loads when asked for


@pytest.mark.parametrize("pk", [0, -1, 2**63, -(2**63) - 1, 10**30])
def test_site_position_of_an_id_no_site_has_is_none(pk):
    SiteFactory()
    assert site_position(pk) is None
