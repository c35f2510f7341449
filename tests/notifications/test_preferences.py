"""Each user turns their notifications off or on (API and desk page); mails in the user's language."""
import pytest
from django.core import mail

from surveys.models import NotificationPreference
from surveys.services.review import discrepancy_review
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_api_shows_the_defaults_and_saves_a_change(reporter):
    reporter.email = "li@example.org"
    reporter.save()
    client = client_for(reporter)
    assert client.get("/api/v1/me/notifications/").json() == {
        "email": "li@example.org", "language": "en", "followup_requests": "immediate",
        "followup_answers": "immediate", "new_evidence": "immediate", "high_severity": "off"}
    response = client.patch("/api/v1/me/notifications/", {"followup_requests": "off", "language": "zh-hans"},
                            format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["followup_requests"], response.json()["language"]) == ("off", "zh-hans")
    saved = NotificationPreference.objects.get(user=reporter)
    assert (saved.followup_requests, saved.followup_answers) == ("off", "immediate")


def test_the_api_refuses_bad_choices_and_reporters_subscribing_to_discrepancies(reporter, editor):
    client = client_for(reporter)
    response = client.patch("/api/v1/me/notifications/", {"followup_requests": "digest"}, format="json")
    assert response.status_code == 400 and "followup_requests" in str(response.json())
    response = client.patch("/api/v1/me/notifications/", {"high_severity": "immediate"}, format="json")
    assert response.status_code == 400 and "high_severity" in str(response.json())
    assert not NotificationPreference.objects.filter(user=reporter).exists()
    response = client_for(editor).patch("/api/v1/me/notifications/", {"high_severity": "digest"}, format="json")
    assert response.status_code == 200 and response.json()["high_severity"] == "digest"


def test_the_api_needs_a_login(anon_client):
    assert anon_client.get("/api/v1/me/notifications/").status_code == 401


def test_the_desk_page_saves_a_change_and_hides_editor_settings_from_reporters(client, reporter, editor):
    client.force_login(reporter)
    page = client.get("/desk/notifications/")
    assert page.status_code == 200 and b'name="followup_requests"' in page.content
    assert b'name="high_severity"' not in page.content
    response = client.post("/desk/notifications/", {"language": "en", "followup_requests": "off",
                                                    "followup_answers": "immediate", "new_evidence": "immediate"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=reporter).followup_requests == "off"

    client.force_login(editor)
    page = client.get("/desk/notifications/")
    assert b'name="high_severity"' in page.content
    client.post("/desk/notifications/", {"language": "zh-hans", "followup_requests": "immediate",
                                         "followup_answers": "immediate", "new_evidence": "off",
                                         "high_severity": "digest"})
    saved = NotificationPreference.objects.get(user=editor)
    assert (saved.language, saved.new_evidence, saved.high_severity) == ("zh-hans", "off", "digest")


def test_the_desk_page_speaks_chinese(client, reporter):
    client.force_login(reporter)
    page = client.get("/desk/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "发给我的补充核查请求" in page and "立即" in page


def test_a_reporter_who_chose_chinese_gets_the_follow_up_request_in_chinese(headcount_discrepancy, editor,
                                                                           committed):
    reporter = headcount_discrepancy.observed_visit.reporter
    NotificationPreference.objects.create(user=reporter, language="zh-hans")
    with committed():
        discrepancy_review(discrepancy=headcount_discrepancy, reviewer=editor, status="needs_followup",
                           note="晚上八点换班时再数一次。")
    [message] = mail.outbox
    assert message.subject == "请求补充核查：Zhongyuan Electronics Plant"
    assert "晚上八点换班时再数一次。" in message.body and "编辑的备注" in message.body
    # The explanation in Chinese when the engine wrote one, else in English.
    assert (headcount_discrepancy.explanation_zh or headcount_discrepancy.explanation) in message.body
    assert "Follow-up" not in message.body
