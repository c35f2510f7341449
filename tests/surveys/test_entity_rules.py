"""The rules of sites and visits hold in the services, whichever door the values come through."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from surveys.services.entities import site_save
from surveys.services.visits import visit_create, visit_update
from surveys.vocab import Role
from tests.factories import SiteFactory, make_user

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize("values, field", [
    ({"name": "Plant", "timezone": "Mars/Olympus"}, "timezone"),
    ({"name": "Plant", "radius_m": 0}, "radius_m"),
    ({"name": "Plant", "radius_m": 100_001}, "radius_m"),
])
def test_a_site_with_an_unknown_zone_or_an_impossible_radius_is_refused(values, field):
    editor = make_user(Role.EDITOR, "editor-rules")
    with pytest.raises(ValidationError) as caught:
        site_save(site=None, values=values, actor=editor, as_editor=True)
    assert set(caught.value.message_dict) == {field}


def test_both_site_rules_are_reported_at_once_and_a_valid_site_is_saved():
    editor = make_user(Role.EDITOR, "editor-rules")
    with pytest.raises(ValidationError) as caught:
        site_save(site=None, values={"name": "Plant", "timezone": "Nowhere", "radius_m": 0}, actor=editor,
                  as_editor=True)
    assert set(caught.value.message_dict) == {"timezone", "radius_m"}
    site = site_save(site=None, values={"name": "Plant", "timezone": "Asia/Urumqi", "radius_m": 800}, actor=editor,
                     as_editor=True)
    assert (site.timezone, site.radius_m) == ("Asia/Urumqi", 800)


def test_a_visit_that_ends_before_it_starts_is_refused_on_create_and_on_edit():
    reporter, site = make_user(Role.REPORTER, "reporter-rules"), SiteFactory()
    start = dt.datetime(2025, 10, 14, 14, 30, tzinfo=CST)
    with pytest.raises(ValidationError) as caught:
        visit_create(reporter=reporter, client_id=None,
                     values={"site": site, "started_at": start, "ended_at": start - dt.timedelta(minutes=1)})
    assert set(caught.value.message_dict) == {"ended_at"}
    visit, created = visit_create(reporter=reporter, client_id=None,
                                  values={"site": site, "started_at": start, "ended_at": start})
    assert created
    with pytest.raises(ValidationError) as caught:
        visit_update(visit=visit, values={"started_at": start + dt.timedelta(hours=1)})
    assert set(caught.value.message_dict) == {"ended_at"}


def test_only_an_editor_can_be_assigned_a_discrepancy_whichever_door():
    from surveys.services.desk import discrepancy_assign
    from tests.desk.conftest import make_discrepancy

    discrepancy = make_discrepancy()
    editor, reporter = make_user(Role.EDITOR, "editor-rules"), make_user(Role.REPORTER, "reporter-rules")
    with pytest.raises(ValidationError) as caught:
        discrepancy_assign(discrepancy=discrepancy, assignee=reporter, actor=editor)
    assert set(caught.value.message_dict) == {"assignee"}
    assert discrepancy_assign(discrepancy=discrepancy, assignee=editor, actor=editor).assignee == editor
    assert discrepancy_assign(discrepancy=discrepancy, assignee=None, actor=editor).assignee is None
