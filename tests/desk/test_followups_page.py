"""The editors' list of follow-up requests: which are still unanswered, and for how long."""
import datetime as dt

from django.utils import timezone

from surveys.models import Visit
from tests.desk.conftest import make_discrepancy
from tests.factories import ClaimFactory, SiteFactory, VisitFactory

UTC = dt.timezone.utc


def _request(*, site_name, reviewed_at, reviewer, note="Count the shifts at the gate."):
    claim = ClaimFactory(site=SiteFactory(name=site_name, timezone="Asia/Shanghai"), text=f"{site_name} employs 2,500.")
    return make_discrepancy(claim=claim, status="needs_followup", reviewed_at=reviewed_at, reviewer=reviewer,
                            review_note=note)


def test_unanswered_requests_come_first_with_how_long_they_have_waited(editor_web, editor, reporter):
    waiting = _request(site_name="恒达光伏玻璃一期", reviewed_at=timezone.now() - dt.timedelta(days=3, hours=2),
                       reviewer=editor)
    answered = _request(site_name="Lingang Cell Plant", reviewed_at=dt.datetime(2025, 10, 18, 2, 0, tzinfo=UTC),
                        reviewer=editor, note="Ask the canteen.")
    answer = VisitFactory(site=answered.site, reporter=reporter, followup_of=answered)
    Visit.objects.filter(pk=answer.pk).update(created_at=dt.datetime(2025, 10, 20, 6, 30, tzinfo=UTC))
    make_discrepancy(status="open")  # not a request

    page = editor_web.get("/desk/followups/").content.decode()

    assert page.count('href="/desk/discrepancies/') == 2
    assert page.index("Lingang Cell Plant") < page.index("恒达光伏玻璃一期")  # asked earlier: listed first
    assert "Waiting for 3\xa0days" in page and "Count the shifts at the gate." in page
    assert "Answered" in page and "14:30" in page and "Asia/Shanghai" in page  # the answer, in the site's zone
    assert page.count("Waiting for") == 1


def test_the_page_is_for_editors(reporter_web):
    assert reporter_web.get("/desk/followups/").status_code == 403


def test_the_page_speaks_chinese(editor_web, editor):
    _request(site_name="恒达光伏玻璃一期", reviewed_at=timezone.now() - dt.timedelta(days=2), reviewer=editor)
    page = editor_web.get("/desk/followups/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "补充核查请求" in page and "已等待" in page and "Waiting" not in page


def test_the_query_count_does_not_grow_with_requests(editor_web, editor, django_assert_max_num_queries):
    for n in range(3):
        _request(site_name=f"Site {n}", reviewed_at=timezone.now() - dt.timedelta(days=n + 1), reviewer=editor)
    with django_assert_max_num_queries(8) as few:
        editor_web.get("/desk/followups/")
    for n in range(3, 12):
        _request(site_name=f"Site {n}", reviewed_at=timezone.now() - dt.timedelta(days=n + 1), reviewer=editor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert editor_web.get("/desk/followups/").status_code == 200
