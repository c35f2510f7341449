import pytest

from surveys.models import Claim
from tests.factories import ClaimFactory, SiteFactory

pytestmark = pytest.mark.django_db

FULL_PRODUCTION = ("The plant will employ 2,500 people after reaching full production, "
                   "with annual output of 1.2 million tons.")


def post_claim(client, **body):
    body.setdefault("site", SiteFactory().pk)
    body.setdefault("published_on", "2025-03-10")
    return client.post("/api/v1/claims/", body, format="json")


def test_one_figure_in_the_text_becomes_the_claim(editor_client):
    response = post_claim(editor_client, text="More than 150 enterprises have settled in the park.")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["metric"], data["low"], data["high"], data["unit"], data["qualifier"]) == (
        "enterprises", 150.0, None, "enterprise", "at_least")
    assert data["is_target"] is False


def test_figures_for_several_metrics_answer_400_with_the_candidates(editor_client):
    response = post_claim(editor_client, text=FULL_PRODUCTION)
    assert response.status_code == 400
    body = response.json()
    assert "several metrics" in body["detail"]
    assert body["errors"]["text"] == [body["detail"]]
    assert [(c["metric"], c["low"], c["unit"], c["surface"]) for c in body["candidates"]] == [
        ("headcount", 2500.0, "person", "2,500 people"), ("output_mass", 1_200_000.0, "t/yr", "1.2 million tons")]
    assert not Claim.objects.exists()


def test_metric_picks_one_of_several_figures_and_the_target_wording_is_kept(editor_client):
    response = post_claim(editor_client, text=FULL_PRODUCTION, metric="headcount")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["metric"], data["low"], data["high"], data["is_target"]) == ("headcount", 2500.0, 2500.0, True)


def test_text_without_any_figure_answers_400_saying_so(editor_client):
    response = post_claim(editor_client, text="The park welcomes investors from all over the world.")
    assert response.status_code == 400
    body = response.json()
    assert "No figure or status" in body["detail"]
    assert "text" in body["errors"]
    assert "candidates" not in body


def test_metric_absent_from_the_text_answers_400(editor_client):
    response = post_claim(editor_client, text="More than 150 enterprises have settled.", metric="area")
    assert response.status_code == 400
    assert "for area" in response.json()["detail"]


def test_chinese_text_is_read(editor_client):
    response = post_claim(editor_client, text="项目总投资约80亿元。")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["metric"], data["low"], data["unit"], data["qualifier"]) == ("investment", 8e9, "CNY", "approx")


def test_relative_due_date_is_read_against_published_on(editor_client):
    response = post_claim(editor_client, text="二期项目计划明年6月投产。", published_on="2025-03-10")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["metric"], data["status_value"], data["due_date"]) == ("status", "operating", "2026-06-30")

    english = post_claim(editor_client, text="The second phase is to be put into production by June.",
                         published_on="2024-02-01")
    assert english.json()["due_date"] == "2024-06-30"


def test_values_given_explicitly_win_over_the_text(editor_client):
    response = post_claim(editor_client, text="More than 150 enterprises have settled in the park.",
                          metric="enterprises", low=120, high=None, qualifier="at_least")
    assert response.status_code == 201, response.json()
    assert response.json()["low"] == 120.0

    # Figures without a metric: the metric comes from the text, the figures from the request.
    response = post_claim(editor_client, text="More than 150 enterprises have settled in the park.", low=180)
    assert response.status_code == 201, response.json()
    assert (response.json()["metric"], response.json()["low"]) == ("enterprises", 180.0)


def test_patching_the_text_alone_reextracts(editor_client):
    claim = ClaimFactory()
    response = editor_client.patch(f"/api/v1/claims/{claim.pk}/", {"text": "该厂预计提供岗位3000个。"}, format="json")
    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    assert (claim.metric, claim.low, claim.is_target) == ("headcount", 3000.0, True)

    response = editor_client.patch(f"/api/v1/claims/{claim.pk}/", {"source_name": "Another outlet"}, format="json")
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.low == 3000.0


def test_reporters_cannot_write_claims(reporter_client):
    assert post_claim(reporter_client, text="More than 150 enterprises.").status_code == 403
