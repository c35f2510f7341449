import pytest

from surveys.models import AppendOnlyError, AuditEvent
from surveys.services.audit import audit_record
from tests.desk.conftest import make_discrepancy

pytestmark = pytest.mark.django_db


def test_audit_list_filters_by_object_and_action(editor_client, editor):
    first, second = make_discrepancy(), make_discrepancy()
    for discrepancy in (first, second):
        editor_client.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/", {"status": "confirmed"}, format="json")
    editor_client.post(f"/api/v1/discrepancies/{first.pk}/comments/", {"text": "checked"}, format="json")

    body = editor_client.get(f"/api/v1/audit/?object_type=surveys.discrepancy&object_id={first.pk}").json()
    assert [e["action"] for e in body["results"]] == ["discrepancy.comment", "discrepancy.review"]
    assert body["results"][1]["actor"] == "editor-one"
    assert body["results"][1]["changes"]["status"] == ["open", "confirmed"]
    reviews = editor_client.get("/api/v1/audit/?action=discrepancy.review").json()["results"]
    assert {e["object_id"] for e in reviews} == {str(first.pk), str(second.pk)}


def test_audit_list_is_paginated(editor_client, editor):
    discrepancy = make_discrepancy()
    for _ in range(3):
        audit_record(actor=editor, action="discrepancy.comment", obj=discrepancy)
    body = editor_client.get("/api/v1/audit/?limit=2").json()
    assert len(body["results"]) == 2
    assert "offset=2" in body["next"]


@pytest.mark.parametrize("client_name", ["reporter_client", "exporter_client", "anon_client"])
def test_audit_is_for_editors_only(request, client_name):
    response = request.getfixturevalue(client_name).get("/api/v1/audit/")
    assert response.status_code in (401, 403)


def test_application_never_updates_or_deletes_audit_rows(editor):
    event = audit_record(actor=editor, action="discrepancy.review", obj=make_discrepancy(), changes={"a": 1})
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "discrepancy.review"
