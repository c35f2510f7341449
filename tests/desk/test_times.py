"""A visit at 14:30 in Asia/Shanghai reads 14:30 with its zone on every page, UTC on hover."""
import datetime as dt

import pytest

from surveys.models import ExportJob
from surveys.services.review import discrepancy_review
from tests.desk.conftest import SHANGHAI_AFTERNOON

pytestmark = pytest.mark.django_db
LOCAL = '14:30 <span class="tz">Asia/Shanghai</span>'
UTC_HOVER = 'title="2025-10-14 06:30 UTC · UTC+8"'


def _pages(world):
    return {
        "discrepancy": ("wangfang", f"/desk/discrepancies/{world['headcount'].pk}/"),
        "site": ("wangfang", f"/desk/sites/{world['site'].pk}/"),
        "site photos": ("wangfang", f"/desk/sites/{world['site'].pk}/photos/"),
        "visit photos": ("wangfang", f"/desk/visits/{world['visit'].pk}/photos/"),
        "photos to approve": ("wangfang", "/desk/photos/"),
        "reporter's page": ("zhaolei", "/desk/mine/"),
    }


@pytest.mark.parametrize("name", ["discrepancy", "site", "site photos", "visit photos", "photos to approve",
                                  "reporter's page"])
def test_a_shanghai_afternoon_visit_reads_1430_with_its_zone(client, desk_world, name):
    from django.contrib.auth import get_user_model

    discrepancy_review(discrepancy=desk_world["headcount"], reviewer=desk_world["editor"], status="needs_followup",
                       note="再去一次")
    user, path = _pages(desk_world)[name]
    client.force_login(get_user_model().objects.get(username=user))
    page = client.get(path).content.decode()
    assert LOCAL in page, name
    assert UTC_HOVER in page, name
    assert "06:30 <span" not in page and "2025-10-14 06:30<" not in page, name


def test_the_proposed_sites_map_names_visit_times_in_the_sites_zone(client, desk_world):
    client.force_login(desk_world["editor"])
    page = client.get("/desk/sites/").content.decode()
    assert "2025-10-14 14:30 Asia/Shanghai · zhaolei" in page


def test_a_site_elsewhere_shows_its_own_zone(client, desk_world):
    from tests.factories import SiteFactory, VisitFactory

    berlin = SiteFactory(name="Werk Berlin", timezone="Europe/Berlin")
    VisitFactory(site=berlin, started_at=SHANGHAI_AFTERNOON, reporter=desk_world["reporter"])
    client.force_login(desk_world["editor"])
    page = client.get(f"/desk/sites/{berlin.pk}/").content.decode()
    assert '2025-10-14 08:30 <span class="tz">Europe/Berlin</span>' in page


def test_times_without_a_site_use_the_desks_zone(client, settings, desk_world):
    settings.DESK_TIME_ZONE = "Asia/Shanghai"
    job = ExportJob.objects.create(requested_by=desk_world["editor"], format="claims.csv")
    ExportJob.objects.filter(pk=job.pk).update(created_at=SHANGHAI_AFTERNOON + dt.timedelta(hours=1))
    client.force_login(desk_world["editor"])
    assert '15:30 <span class="tz">Asia/Shanghai</span>' in client.get("/desk/exports/").content.decode()
    audit = client.get("/desk/audit/").content.decode()
    assert "Times in Asia/Shanghai" in audit and '<span class="tz">Asia/Shanghai</span>' in audit


def test_the_phones_page_names_the_desks_zone(client, settings, desk_world):
    from surveys.models import ApiToken
    from surveys.services.devices import device_token_issue

    settings.DESK_TIME_ZONE = "Asia/Shanghai"
    token, _key = device_token_issue(reporter=desk_world["reporter"], device="赵磊的手机", actor=desk_world["editor"])
    ApiToken.objects.filter(pk=token.pk).update(created_at=SHANGHAI_AFTERNOON, last_used_at=SHANGHAI_AFTERNOON)
    client.force_login(desk_world["editor"])
    page = client.get("/desk/odk/").content.decode()
    assert LOCAL in page and UTC_HOVER in page
    assert '>2025-10-14</time>' in page  # the day it was issued, counted in that zone


def test_an_audit_event_at_a_shanghai_afternoon_reads_1430(client, settings, desk_world):
    import time_machine

    from surveys.services.audit import audit_record

    settings.DESK_TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(SHANGHAI_AFTERNOON, tick=False):  # audit rows are append-only: record it then
        audit_record(actor=desk_world["editor"], action="discrepancy.comment", obj=desk_world["headcount"],
                     changes={"text": "下午去过"})
    client.force_login(desk_world["editor"])
    page = client.get("/desk/audit/").content.decode()
    assert LOCAL in page and UTC_HOVER in page


def test_the_queue_counts_the_day_found_in_the_sites_zone(client, desk_world):
    from surveys.models import Discrepancy

    late_evening_utc = dt.datetime(2025, 10, 13, 20, 0, tzinfo=dt.timezone.utc)  # 04:00 next day in Shanghai
    Discrepancy.objects.filter(pk=desk_world["headcount"].pk).update(created_at=late_evening_utc)
    client.force_login(desk_world["editor"])
    page = client.get("/desk/").content.decode()
    assert 'title="Asia/Shanghai · 2025-10-13 20:00 UTC">2025-10-14</time>' in page
