import pytest

from surveys.models import AuditEvent, Discrepancy, DiscrepancyComment
from tests.conftest import client_for
from tests.desk.conftest import make_discrepancy, make_photo, many_discrepancies
from tests.factories import ClaimFactory, ObservationFactory, VisitFactory, make_user

pytestmark = pytest.mark.django_db
LIST = "/api/v1/discrepancies/"


def test_list_orders_by_severity_then_newest(editor_client):
    low = make_discrepancy(severity="low")
    high_old = make_discrepancy(severity="high")
    medium = make_discrepancy(severity="medium")
    high_new = make_discrepancy(severity="high")
    body = editor_client.get(LIST).json()
    assert [row["id"] for row in body["results"]] == [high_new.pk, high_old.pk, medium.pk, low.pk]
    assert set(body) == {"next", "previous", "results"}


@pytest.mark.parametrize("param, expected", [
    ("status=confirmed", "b"), ("severity=low", "c"), ("metric=enterprises", "c"), ("assignee=editor-one", "a"),
])
def test_list_filters(editor_client, editor, param, expected):
    rows = {
        "a": make_discrepancy(assignee=editor),
        "b": make_discrepancy(status="confirmed"),
        "c": make_discrepancy(claim=ClaimFactory(metric="enterprises", unit="enterprise"), severity="low"),
    }
    ids = [row["id"] for row in editor_client.get(f"{LIST}?{param}").json()["results"]]
    assert ids == [rows[expected].pk]


def test_list_filters_by_site(editor_client):
    first, second = make_discrepancy(), make_discrepancy()
    ids = [row["id"] for row in editor_client.get(f"{LIST}?site={second.site_id}").json()["results"]]
    assert ids == [second.pk]
    assert first.pk not in ids


def test_detail_embeds_claim_source_and_evidence(editor_client, hengda):
    discrepancy, photo = hengda["discrepancy"], hengda["photo"]
    body = editor_client.get(f"{LIST}{discrepancy.pk}/").json()
    assert body["claim"] == hengda["claim"].pk
    assert body["claim_source"]["source_name"] == "Provincial press release"
    assert body["claim_source"]["text"].startswith("will employ 2,500")
    assert body["observations"] == [str(hengda["observation"].pk)]
    assert body["photos"] == [str(photo.pk)]
    [observation] = body["evidence"]["observations"]
    assert observation["method"] == "interview"
    assert observation["source_role"] == "canteen worker"
    assert observation["quote"] == "about 600-700 people work a shift here"
    [embedded] = body["evidence"]["photos"]
    assert embedded["thumbnail_url"].endswith(f"/api/v1/photos/{photo.pk}/file/?variant=thumbnail")
    assert embedded["flags"] == ["far_from_site"]
    assert embedded["latitude"] == 30.3  # editors see positions
    thumbnail = editor_client.get(embedded["thumbnail_url"])
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/jpeg"


def test_reporter_reads_own_discrepancies_without_colleagues_evidence(reporter_client, reporter, other_reporter,
                                                                     hengda):
    discrepancy = hengda["discrepancy"]
    colleague_visit = VisitFactory(site=hengda["site"], reporter=other_reporter)
    colleague_observation = ObservationFactory(visit=colleague_visit)
    make_photo(colleague_visit)
    discrepancy.observations.add(colleague_observation)
    make_discrepancy()  # resting on somebody else's visits only

    body = reporter_client.get(LIST).json()
    assert [row["id"] for row in body["results"]] == [discrepancy.pk]
    detail = body["results"][0]
    assert detail["observations"] == [str(hengda["observation"].pk)]
    assert detail["photos"] == [str(hengda["photo"].pk)]
    assert "latitude" not in detail["evidence"]["photos"][0]  # photo GPS is for editors


def test_reporter_sees_followup_note(reporter_client, editor_client, hengda):
    discrepancy = hengda["discrepancy"]
    editor_client.post(f"{LIST}{discrepancy.pk}/review/",
                       {"status": "needs_followup", "note": "Count the cars at 8am"}, format="json")
    body = reporter_client.get(f"{LIST}?status=needs_followup").json()
    assert body["results"][0]["review_note"] == "Count the cars at 8am"


def test_reporter_cannot_review_assign_or_comment(reporter_client, hengda):
    pk = hengda["discrepancy"].pk
    assert reporter_client.post(f"{LIST}{pk}/review/", {"status": "dismissed"}, format="json").status_code == 403
    assert reporter_client.post(f"{LIST}{pk}/assign/", {"assignee": None}, format="json").status_code == 403
    assert reporter_client.get(f"{LIST}{pk}/comments/").status_code == 403


def test_other_reporter_gets_404_everywhere(other_reporter_client, hengda):
    pk = hengda["discrepancy"].pk
    assert other_reporter_client.get(f"{LIST}{pk}/").status_code == 404
    assert other_reporter_client.get(f"{LIST}{pk}/comments/").status_code == 404
    for action, body in [("review", {"status": "dismissed"}), ("assign", {"assignee": None})]:
        assert other_reporter_client.post(f"{LIST}{pk}/{action}/", body, format="json").status_code == 404
    approve = f"/api/v1/photos/{hengda['photo'].pk}/approve/"
    assert other_reporter_client.post(approve, {"approved": True}, format="json").status_code == 404


def test_exporter_sees_confirmed_only_with_approved_photos(exporter_client, editor, hengda):
    discrepancy = hengda["discrepancy"]
    make_discrepancy()
    assert exporter_client.get(LIST).json()["results"] == []
    Discrepancy.objects.filter(pk=discrepancy.pk).update(status="confirmed")
    [row] = exporter_client.get(LIST).json()["results"]
    assert row["evidence"]["photos"] == []  # not approved for publication yet
    assert row["evidence"]["observations"][0]["reporter"].startswith("reporter-")  # a pseudonym
    client_for(editor).post(f"/api/v1/photos/{hengda['photo'].pk}/approve/", {"approved": True}, format="json")
    [row] = exporter_client.get(LIST).json()["results"]
    assert [p["id"] for p in row["evidence"]["photos"]] == [str(hengda["photo"].pk)]


def test_review_records_decision_in_audit(editor_client, editor, hengda):
    pk = hengda["discrepancy"].pk
    response = editor_client.post(f"{LIST}{pk}/review/", {"status": "confirmed", "note": "Solid"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert response.json()["reviewer"] == "editor-one"
    event = AuditEvent.objects.get(action="discrepancy.review")
    assert (event.actor, event.object_id) == (editor, str(pk))
    assert event.changes["status"] == ["open", "confirmed"]


def test_review_rejects_resolved_and_garbage(editor_client, hengda):
    pk = hengda["discrepancy"].pk
    response = editor_client.post(f"{LIST}{pk}/review/", {"status": "resolved"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_assign_and_unassign_are_audited(editor_client, hengda):
    pk = hengda["discrepancy"].pk
    other = make_user("editor", "editor-two")
    body = editor_client.post(f"{LIST}{pk}/assign/", {"assignee": "editor-two"}, format="json").json()
    assert body["assignee"] == "editor-two"
    assert editor_client.post(f"{LIST}{pk}/assign/", {"assignee": None}, format="json").json()["assignee"] is None
    changes = [e.changes["assignee"] for e in AuditEvent.objects.filter(action="discrepancy.assign").order_by("id")]
    assert changes == [[None, "editor-two"], ["editor-two", None]]
    assert other.assigned_discrepancies.count() == 0


def test_assign_to_a_reporter_is_refused(editor_client, hengda):
    response = editor_client.post(f"{LIST}{hengda['discrepancy'].pk}/assign/", {"assignee": "reporter-one"},
                                  format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["assignee"] == ["No editor with this username."]


def test_comments_are_added_listed_and_audited(editor_client, hengda):
    url = f"{LIST}{hengda['discrepancy'].pk}/comments/"
    response = editor_client.post(url, {"text": "  Ask the park office too  "}, format="json")
    assert response.status_code == 201
    assert response.json()["text"] == "Ask the park office too"
    body = editor_client.get(url).json()
    assert [c["author"] for c in body["results"]] == ["editor-one"]
    assert AuditEvent.objects.filter(action="discrepancy.comment").count() == 1
    assert editor_client.post(url, {"text": ""}, format="json").status_code == 400
    assert DiscrepancyComment.objects.count() == 1


def test_list_and_detail_query_counts_do_not_grow(client, editor, django_assert_num_queries):
    # Session auth: a token's last-used stamp is written at most once a while, which would make counts flaky.
    client.force_login(editor)

    def both_sides(rows):
        # Each with a consistent observation, one that arrived after the decision, and a follow-up visit.
        for row in rows:
            visit = row.observations.get().visit
            row.supporting.add(ObservationFactory(visit=visit, low=2400, high=2400))
            row.new_evidence.add(ObservationFactory(visit=visit, low=300, high=300))
            VisitFactory(site=row.site, followup_of=row)
        Discrepancy.objects.filter(pk__in=[row.pk for row in rows]).update(status="confirmed")

    both_sides(many_discrepancies(2))
    # session, user, role; discrepancies with claim, site, decision; observations with visit and reporter and
    # their photos, for each side (contradicting, consistent, new since the decision); follow-up visits
    with django_assert_num_queries(11):
        client.get(LIST)
    both_sides(many_discrepancies(6))
    with django_assert_num_queries(11):
        assert len(client.get(LIST).json()["results"]) == 8
    pk = Discrepancy.objects.first().pk
    with django_assert_num_queries(11):
        body = client.get(f"{LIST}{pk}/").json()
    assert len(body["supporting"]) == 1 and len(body["new_evidence"]) == 1 and len(body["followups"]) == 1


def test_unknown_api_path_is_json_404_and_pages_are_html(editor_client, client):
    response = editor_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
