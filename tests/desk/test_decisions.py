"""Deciding from the desk: the next item of the same queue, undo within a few seconds, bulk actions."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from surveys.models import AuditEvent, Discrepancy
from surveys.selectors.desk import QueueFilters, queue_place
from surveys.services.desk import ReviewState, discrepancy_decide, discrepancy_review_undo
from surveys.services.review import discrepancy_review
from tests.desk.conftest import make_discrepancy
from tests.factories import SiteFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_of_three(db):
    site = SiteFactory()
    elsewhere = make_discrepancy(severity="high", explanation="elsewhere")
    low = make_discrepancy(claim=_claim(site), severity="low", explanation="low")
    high = make_discrepancy(claim=_claim(site), severity="high", explanation="high")
    medium = make_discrepancy(claim=_claim(site), severity="medium", explanation="medium")
    return {"site": site, "order": [high, medium, low], "elsewhere": elsewhere}


def _claim(site):
    from tests.factories import ClaimFactory

    return ClaimFactory(site=site)


def test_queue_place_counts_and_neighbours_in_the_queue_order(editor, queue_of_three):
    high, medium, low = queue_of_three["order"]
    filters = QueueFilters(status="open", site=queue_of_three["site"].pk)
    place = queue_place(editor, filters, medium)
    assert (place.position, place.total, place.previous_id, place.next_id) == (2, 3, high.pk, low.pk)
    assert queue_place(editor, filters, high).previous_id is None
    assert queue_place(editor, filters, low).next_id is None
    everywhere = queue_place(editor, QueueFilters(status="open"), high)
    assert everywhere.total == 4


def test_a_decision_opens_the_next_item_of_the_same_filtered_queue(editor_web, queue_of_three):
    high, medium, low = queue_of_three["order"]
    queue = f"status=open&site={queue_of_three['site'].pk}"
    response = editor_web.post(f"/desk/discrepancies/{high.pk}/review/", {"status": "confirmed", "queue": queue})
    assert response["Location"] == f"/desk/discrepancies/{medium.pk}/?{queue}"
    response = editor_web.post(f"/desk/discrepancies/{medium.pk}/review/", {"status": "dismissed", "queue": queue})
    assert response["Location"] == f"/desk/discrepancies/{low.pk}/?{queue}"
    response = editor_web.post(f"/desk/discrepancies/{low.pk}/review/", {"status": "needs_followup", "queue": queue})
    assert response["Location"] == f"/desk/?{queue}"  # the queue is done
    page = editor_web.get(response["Location"]).content.decode()
    assert "That was the last discrepancy in this queue." in page
    decided = Discrepancy.objects.filter(pk__in=[high.pk, medium.pk, low.pk]).order_by("-severity_rank")
    assert [d.status for d in decided] == ["confirmed", "dismissed", "needs_followup"]
    assert Discrepancy.objects.get(pk=queue_of_three["elsewhere"].pk).status == "open"


def test_reopening_stays_on_the_item(editor_web, queue_of_three):
    high = queue_of_three["order"][0]
    discrepancy_review(discrepancy=high, reviewer=None, status="confirmed")
    response = editor_web.post(f"/desk/discrepancies/{high.pk}/review/", {"status": "open", "queue": "status="})
    assert response["Location"] == f"/desk/discrepancies/{high.pk}/?status="


def test_the_note_field_starts_empty_and_the_previous_note_is_shown(editor_web, editor, queue_of_three):
    high = queue_of_three["order"][0]
    discrepancy_review(discrepancy=high, reviewer=editor, status="needs_followup", note="Count the cars at 8am")
    page = editor_web.get(f"/desk/discrepancies/{high.pk}/").content.decode()
    assert '<textarea name="note" id="id_note" rows="3" maxlength="5000" data-focus-key="n"></textarea>' in page
    assert "Previous note" in page and "Count the cars at 8am" in page


def test_u_undoes_the_last_decision_and_the_undo_is_audited(editor_web, editor, queue_of_three):
    high, medium, _ = queue_of_three["order"]
    discrepancy_review(discrepancy=high, reviewer=editor, status="needs_followup", note="first")
    before = Discrepancy.objects.get(pk=high.pk)
    editor_web.post(f"/desk/discrepancies/{high.pk}/review/", {"status": "confirmed", "note": "second",
                                                              "queue": "status="})
    page = editor_web.get(f"/desk/discrepancies/{medium.pk}/?status=").content.decode()
    assert f'action="/desk/discrepancies/{high.pk}/undo/"' in page and 'data-key="u"' in page
    response = editor_web.post(f"/desk/discrepancies/{high.pk}/undo/", {"queue": "status="})
    assert response["Location"] == f"/desk/discrepancies/{high.pk}/?status="
    undone = Discrepancy.objects.get(pk=high.pk)
    assert (undone.status, undone.review_note, undone.reviewer, undone.reviewed_at) == (
        "needs_followup", "first", editor, before.reviewed_at)
    event = AuditEvent.objects.get(action="discrepancy.review_undo")
    assert event.actor == editor
    assert event.changes["status"] == ["confirmed", "needs_followup"]
    assert event.changes["review_note"] == ["second", "first"]
    # Once only: the offer is gone.
    again = editor_web.post(f"/desk/discrepancies/{high.pk}/undo/", {"queue": "status="})
    assert "There is no decision to undo." in editor_web.get(again["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="discrepancy.review_undo").count() == 1


def test_undo_is_refused_after_the_window(editor_web, settings, queue_of_three):
    settings.DESK_UNDO_SECONDS = 10
    high = queue_of_three["order"][0]
    editor_web.post(f"/desk/discrepancies/{high.pk}/review/", {"status": "dismissed", "queue": "status="})
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=11)):
        page = editor_web.get(f"/desk/discrepancies/{high.pk}/").content.decode()
        assert "desk/discrepancies/%d/undo/" % high.pk not in page  # no offer any more
        response = editor_web.post(f"/desk/discrepancies/{high.pk}/undo/", {"queue": "status="})
    assert Discrepancy.objects.get(pk=high.pk).status == "dismissed"
    assert not AuditEvent.objects.filter(action="discrepancy.review_undo").exists()
    assert response.status_code == 302


def test_undo_service_refuses_someone_elses_or_a_superseded_decision(editor, queue_of_three):
    high = queue_of_three["order"][0]
    decision = discrepancy_decide(discrepancy=high, reviewer=editor, status="confirmed", note="")
    colleague = make_user("editor", "editor-two")
    with pytest.raises(ValidationError):
        discrepancy_review_undo(discrepancy=high, actor=colleague, event_id=decision.event_id, before=decision.before)
    discrepancy_review(discrepancy=high, reviewer=colleague, status="dismissed", note="duplicate")
    with pytest.raises(ValidationError):
        discrepancy_review_undo(discrepancy=high, actor=editor, event_id=decision.event_id, before=decision.before)
    assert Discrepancy.objects.get(pk=high.pk).status == "dismissed"


def test_undo_back_to_open_clears_the_reviewer(editor, queue_of_three):
    high = queue_of_three["order"][0]
    decision = discrepancy_decide(discrepancy=high, reviewer=editor, status="confirmed", note="yes")
    assert decision.before == ReviewState(status="open", review_note="", reviewer_id=None, reviewed_at=None)
    undone = discrepancy_review_undo(discrepancy=high, actor=editor, event_id=decision.event_id, before=decision.before)
    assert (undone.status, undone.review_note, undone.reviewer, undone.reviewed_at) == ("open", "", None, None)


def test_bulk_assign_asks_once_then_assigns_each_with_its_own_audit_event(editor_web, editor, queue_of_three):
    high, medium, low = queue_of_three["order"]
    form = {"action": "assign", "ids": [high.pk, low.pk], "assignee": "editor-one", "queue": "status=open"}
    confirm = editor_web.post("/desk/bulk/", form)
    assert confirm.status_code == 200
    assert "Assign 2 discrepancies to editor-one?" in confirm.content.decode()
    assert not Discrepancy.objects.filter(assignee=editor).exists()
    done = editor_web.post("/desk/bulk/", {**form, "confirmed": "1"})
    assert done["Location"] == "/desk/?status=open"
    assert set(Discrepancy.objects.filter(assignee=editor).values_list("pk", flat=True)) == {high.pk, low.pk}
    events = AuditEvent.objects.filter(action="discrepancy.assign")
    assert sorted(int(e.object_id) for e in events) == sorted([high.pk, low.pk])
    assert all(e.actor == editor and e.changes == {"assignee": [None, "editor-one"]} for e in events)


def test_bulk_dismiss_as_duplicate_leaves_decided_ones_alone(editor_web, editor, queue_of_three):
    high, medium, low = queue_of_three["order"]
    discrepancy_review(discrepancy=low, reviewer=editor, status="confirmed", note="real")
    form = {"action": "dismiss_duplicate", "ids": [high.pk, medium.pk, low.pk], "queue": "status=open"}
    page = editor_web.post("/desk/bulk/", form).content.decode()
    assert "Dismiss 3 discrepancies as duplicates?" in page and "left as they are" in page
    editor_web.post("/desk/bulk/", {**form, "confirmed": "1", "note": "Same claim as #1"})
    statuses = dict(Discrepancy.objects.filter(pk__in=[high.pk, medium.pk, low.pk]).values_list("pk", "status"))
    assert statuses == {high.pk: "dismissed", medium.pk: "dismissed", low.pk: "confirmed"}
    reviews = AuditEvent.objects.filter(action="discrepancy.review", changes__review_note__1="Same claim as #1")
    assert sorted(int(e.object_id) for e in reviews) == sorted([high.pk, medium.pk])


def test_bulk_without_a_selection_changes_nothing(editor_web, queue_of_three):
    response = editor_web.post("/desk/bulk/", {"action": "dismiss_duplicate", "queue": "status=open",
                                               "confirmed": "1"})
    assert response["Location"] == "/desk/?status=open"
    assert not Discrepancy.objects.exclude(status="open").exists()


def test_reporters_cannot_use_bulk_or_undo(client, reporter, queue_of_three):
    client.force_login(reporter)
    high = queue_of_three["order"][0]
    assert client.post("/desk/bulk/", {"action": "dismiss_duplicate", "ids": [high.pk], "confirmed": "1"}
                       ).status_code == 403
    assert client.post(f"/desk/discrepancies/{high.pk}/undo/").status_code == 403
    assert Discrepancy.objects.get(pk=high.pk).status == "open"
