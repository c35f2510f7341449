"""The audit page reads as plain words: "field: before → after" with names, filters a person understands."""
import datetime as dt

import pytest
import time_machine

from surveys.models import AuditEvent
from surveys.services.audit import audit_record
from surveys.services.desk import discrepancy_assign, site_verify
from surveys.services.review import discrepancy_review
from tests.desk.conftest import make_discrepancy
from tests.factories import OrganizationFactory, SiteFactory, make_user

pytestmark = pytest.mark.django_db


def test_changes_read_as_field_before_after_with_names(editor_web, editor):
    discrepancy = make_discrepancy()
    discrepancy_review(discrepancy=discrepancy, reviewer=editor, status="confirmed", note="matches the photos")
    organization = OrganizationFactory(name="Hengda Group")
    site = SiteFactory(name="Hengda Glass")
    audit_record(actor=editor, action="linkproposal.accepted", obj=site,
                 changes={"site.organization": [None, organization.pk], "decision": ["pending", "accepted"]})
    page = editor_web.get("/desk/audit/").content.decode()
    assert '<span class="field">status</span>: <del>open</del> → <ins>confirmed</ins>' in page
    assert '<span class="field">review note</span>: <ins>matches the photos</ins>' in page
    assert '<span class="field">organization</span>: <ins>Hengda Group</ins>' in page
    assert f"Discrepancy: {discrepancy.site.name} · headcount" in page
    assert "Link accepted" in page and "Decision" in page
    assert "{'" not in page and "surveys.discrepancy" not in page.split("<form", 1)[0]


def test_the_same_page_in_chinese(editor_web, editor):
    discrepancy = make_discrepancy()
    discrepancy_review(discrepancy=discrepancy, reviewer=editor, status="dismissed", note="")
    page = editor_web.get("/desk/audit/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert '<span class="field">状态</span>: <del>待审</del> → <ins>已排除</ins>' in page
    assert "审核决定" in page and "差异: " in page


def test_filters_by_object_type_user_and_days(editor_web, editor):
    other = make_user("editor", "editor-two")
    discrepancy = make_discrepancy()
    site = SiteFactory(verified=False)
    with time_machine.travel(dt.datetime(2025, 10, 13, 15, 0, tzinfo=dt.timezone.utc)):  # 23:00 in Shanghai
        discrepancy_assign(discrepancy=discrepancy, assignee=other, actor=editor)
    with time_machine.travel(dt.datetime(2025, 10, 13, 17, 0, tzinfo=dt.timezone.utc)):  # 01:00 on the 14th
        site_verify(site=site, actor=other)

    def actions(query):
        return [row.event.action for row in editor_web.get(f"/desk/audit/?{query}").context["rows"]]

    assert actions("object_type=surveys.site") == ["site.verify"]
    assert actions("actor=editor-one") == ["discrepancy.assign"]
    assert actions("since=2025-10-14&until=2025-10-14") == ["site.verify"]  # days in the desk's zone
    assert actions("until=2025-10-13") == ["discrepancy.assign"]
    assert actions(f"object_type=surveys.discrepancy&object_id={discrepancy.pk}") == ["discrepancy.assign"]
    assert actions("since=not-a-day") == ["site.verify", "discrepancy.assign"]  # a bad filter is ignored, not a 500
    page = editor_web.get("/desk/audit/").content.decode()
    assert '<option value="surveys.discrepancy">Discrepancy</option>' in page
    assert '<option value="editor-two">editor-two</option>' in page


def test_audit_page_query_count_does_not_grow(editor_web, editor, django_assert_num_queries):
    def events(n):
        for _ in range(n):
            discrepancy = make_discrepancy()
            discrepancy_review(discrepancy=discrepancy, reviewer=editor, status="confirmed")
            discrepancy_assign(discrepancy=discrepancy, assignee=editor, actor=editor)

    events(2)
    # session, user, role, count, events, discrepancies' names (with sites), users (filter), assignees by name
    with django_assert_num_queries(7):
        editor_web.get("/desk/audit/")
    events(6)
    assert AuditEvent.objects.count() == 16
    with django_assert_num_queries(7):
        editor_web.get("/desk/audit/")
