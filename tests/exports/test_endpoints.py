import csv
import io
import json

import pytest

from surveys.selectors.policy import reporter_pseudonym
from tests.exports.conftest import read

pytestmark = pytest.mark.django_db
ALL = ["visits.csv", "visits.jsonl", "visits.geojson", "observations.csv", "claims.csv", "discrepancies.csv",
       "claimreview.jsonld"]


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(read(response).decode("utf-8"))))


def jsonl(response) -> list[dict]:
    return [json.loads(line) for line in read(response).decode().splitlines()]


def test_visits_csv_has_the_documented_columns_and_every_kind_of_cell(editor_client, dataset):
    response = editor_client.get("/api/v1/exports/visits.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="visits.csv"' in response["Content-Disposition"]
    body = read(response).decode("utf-8")
    assert body.splitlines()[0] == (
        "id,site,site_name,reporter,started_at,ended_at,latitude,longitude,site_latitude,site_longitude,notes,"
        "observed_status,activity_level,activity_signs,processing,created_at,updated_at")
    gate, formula, plot = csv_rows(editor_client.get("/api/v1/exports/visits.csv"))
    assert gate["id"] == "00000000-0000-4000-8000-000000000001"  # chronological order
    assert gate["reporter"] == "li-wei"
    assert (gate["started_at"], gate["ended_at"]) == ("2025-10-14T06:05:00Z", "2025-10-14T07:00:30.25Z")
    assert (gate["latitude"], gate["longitude"], gate["site_latitude"]) == ("31.2345", "121.4567", "31.2")
    assert gate["notes"] == '门卫说园区里实际只有几十家企业, "a few dozen"'
    assert json.loads(gate["activity_signs"]) == ["40-50 cars", "=cmd|' /C calc'!A0"]
    assert gate["activity_level"] == "3"
    assert formula["started_at"] == "2025-10-20T02:00:00.123Z"
    assert formula["notes"] == "'=HYPERLINK(\"http://x\")\nsecond line"  # neutralised, newline kept in quotes
    # Empty fields are empty cells, not "None" or "null".
    assert (plot["ended_at"], plot["latitude"], plot["site_latitude"], plot["activity_signs"],
            plot["observed_status"], plot["activity_level"]) == ("", "", "", "", "", "")
    assert plot["site_name"] == "恒达光伏玻璃 二期"


def test_observations_csv_keeps_numbers_numeric_and_neutralises_text(editor_client, dataset):
    rows = {row["id"][-2:]: row for row in csv_rows(editor_client.get("/api/v1/exports/observations.csv"))}
    assert list(rows) == ["a1", "a2", "a3", "a4"]
    assert (rows["a1"]["low"], rows["a1"]["high"], rows["a1"]["quote"]) == ("600", "700", "一期约六七百人上班")
    # An open-ended range: low only.
    assert (rows["a2"]["low"], rows["a2"]["high"], rows["a2"]["qualifier"]) == ("24", "", "at_least")
    assert (rows["a2"]["quote"], rows["a2"]["source_role"]) == ("'+ only a few dozen", "'@guard")
    # -5 is a number: not prefixed. The text "-5 is..." is.
    assert (rows["a3"]["low"], rows["a3"]["high"]) == ("-5", "1234567.5")
    assert rows["a3"]["quote"] == "'-5 is a number here, this is text"
    assert (rows["a4"]["status_value"], rows["a4"]["low"], rows["a4"]["quote"]) == ("not_started", "", "")
    assert (rows["a1"]["confidence"], rows["a1"]["extracted"], rows["a1"]["site"]) == ("0.7", "false",
                                                                                      str(dataset["park"].pk))


def test_claims_csv(editor_client, dataset):
    rows = csv_rows(editor_client.get("/api/v1/exports/claims.csv"))
    by_metric = {row["metric"]: row for row in rows}
    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), key=int)
    assert by_metric["headcount"]["text"] == "达产后将带动就业2500人"
    assert (by_metric["headcount"]["is_target"], by_metric["headcount"]["published_on"]) == ("true", "2025-03-10")
    assert (by_metric["enterprises"]["low"], by_metric["enterprises"]["high"]) == ("150", "")
    assert (by_metric["enterprises"]["published_on"], by_metric["enterprises"]["source_url"]) == ("", "")
    assert by_metric["status"]["text"] == "'=2+3 to be put into production by June"
    assert (by_metric["status"]["due_date"], by_metric["status"]["status_value"]) == ("2025-06-30", "operating")


def test_discrepancies_csv_flattens_claimed_and_observed(editor_client, dataset):
    rows = {row["status"] + row["kind"]: row for row in csv_rows(editor_client.get("/api/v1/exports/discrepancies.csv"))}
    assert set(rows) == {"confirmednumeric", "opennumeric", "confirmedtimeline"}
    numeric = rows["confirmednumeric"]
    assert (numeric["claimed_low"], numeric["observed_low"], numeric["observed_high"], numeric["ratio"]) == (
        "2500", "600", "700", "0.26")
    assert numeric["explanation_zh"] == "声称达产后2500人，实地约六七百人。"
    assert numeric["reviewed_at"] == "2025-11-03T09:30:00Z"
    assert rows["opennumeric"]["explanation"] == "'-More than 150 claimed, a few dozen seen."
    assert (rows["opennumeric"]["claimed_high"], rows["opennumeric"]["reviewed_at"]) == ("", "")
    timeline = rows["confirmedtimeline"]
    assert (timeline["claimed_status"], timeline["claimed_due_date"], timeline["observed_status"]) == (
        "operating", "2025-06-30", "not_started")
    assert (timeline["ratio"], timeline["claimed_low"]) == ("", "")


def test_visits_jsonl_keeps_types_and_raw_text(editor_client, dataset):
    response = editor_client.get("/api/v1/exports/visits.jsonl")
    assert response["Content-Type"].startswith("application/jsonl")
    gate, formula, plot = jsonl(response)
    assert gate["latitude"] == 31.2345 and gate["activity_level"] == 3
    assert gate["activity_signs"] == ["40-50 cars", "=cmd|' /C calc'!A0"]
    assert formula["notes"].startswith("=HYPERLINK")  # JSON is not a spreadsheet: text stays as written
    assert plot["ended_at"] is None and plot["latitude"] is None and plot["site_name"] == "恒达光伏玻璃 二期"


@pytest.mark.parametrize("name", ALL)
def test_exporter_policy_holds_in_every_format(exporter_client, editor_client, dataset, name):
    body = read(exporter_client.get(f"/api/v1/exports/{name}")).decode()
    # No visit (or photo) positions, no reporter identity.
    for secret in ("31.2345", "121.4567", "li-wei"):
        assert secret not in body
    assert "open" not in [row.get("status") for row in _records(name, body)]
    assert "-More than 150" not in body  # the open discrepancy's explanation
    if name.startswith("visits"):
        assert reporter_pseudonym(dataset["reporter"].pk) in body
        assert "31.2345" in read(editor_client.get(f"/api/v1/exports/{name}")).decode()


def _records(name, body):
    if name.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(body)))
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in body.splitlines()]
    document = json.loads(body)
    if "features" in document:
        return [feature["properties"] for feature in document["features"]]
    return document["@graph"]


def test_exporter_gets_confirmed_discrepancies_only(exporter_client, dataset):
    rows = csv_rows(exporter_client.get("/api/v1/exports/discrepancies.csv"))
    assert sorted(row["kind"] for row in rows) == ["numeric", "timeline"]
    assert {row["status"] for row in rows} == {"confirmed"}
    # ?status= cannot widen the scope.
    assert csv_rows(exporter_client.get("/api/v1/exports/discrepancies.csv?status=open")) == []


def test_exporter_visits_carry_the_sites_coordinates(exporter_client, dataset):
    gate, _, plot = csv_rows(exporter_client.get("/api/v1/exports/visits.csv"))
    assert (gate["latitude"], gate["longitude"]) == ("", "")
    assert (gate["site_latitude"], gate["site_longitude"]) == ("31.2", "121.4")
    features = json.loads(read(exporter_client.get("/api/v1/exports/visits.geojson")))["features"]
    assert features[0]["geometry"]["coordinates"] == [121.4, 31.2]
    assert features[2]["geometry"] is None  # a site without a position


def test_filters_site_since_until_status_metric(editor_client, dataset):
    park = dataset["park"].pk
    ids = lambda url: [row["id"][-1] for row in csv_rows(editor_client.get(url))]  # noqa: E731
    assert ids(f"/api/v1/exports/visits.csv?site={park}") == ["1", "2"]
    assert ids("/api/v1/exports/visits.csv?since=2025-10-15") == ["2", "3"]  # open-ended: since only
    assert ids("/api/v1/exports/visits.csv?until=2025-10-20T02:00:00.123Z") == ["1"]  # until is exclusive
    assert ids("/api/v1/exports/visits.csv?since=2025-10-14T14:05:00%2B08:00&until=2025-10-15") == ["1"]
    assert ids("/api/v1/exports/observations.csv?since=2025-10-15") == ["3", "4"]
    assert ids("/api/v1/exports/observations.csv?metric=enterprises") == ["2"]
    discrepancies = csv_rows(editor_client.get("/api/v1/exports/discrepancies.csv?status=open"))
    assert [row["metric"] for row in discrepancies] == ["enterprises"]
    claims = csv_rows(editor_client.get(f"/api/v1/exports/claims.csv?site={park}&metric=headcount"))
    assert [row["metric"] for row in claims] == ["headcount"]


@pytest.mark.parametrize("query, field", [
    ("site=abc", "site"), ("since=yesterday", "since"), ("until=2025-13-01", "until"),
    ("status=maybe", "status"), ("metric=smiles", "metric"),
])
def test_bad_filters_answer_400_with_the_error_shape(editor_client, dataset, query, field):
    response = editor_client.get(f"/api/v1/exports/visits.csv?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_bom_on_request_for_csv_only(editor_client, dataset):
    assert read(editor_client.get("/api/v1/exports/claims.csv?bom=1")).startswith(b"\xef\xbb\xbfid,")
    assert read(editor_client.get("/api/v1/exports/claims.csv")).startswith(b"id,")
    assert read(editor_client.get("/api/v1/exports/visits.jsonl?bom=1")).startswith(b"{")


def test_csv_is_asked_for_with_its_media_type(editor_client, dataset):
    response = editor_client.get("/api/v1/exports/claims.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200


def test_reporters_are_not_export_clients(reporter_client, dataset):
    for name in ALL:
        response = reporter_client.get(f"/api/v1/exports/{name}")
        assert response.status_code == 403
        assert "detail" in response.json()


def test_anonymous_gets_401(anon_client, dataset):
    for name in ALL:
        assert anon_client.get(f"/api/v1/exports/{name}").status_code == 401


def test_unknown_export_is_404_with_the_error_shape(editor_client):
    response = editor_client.get("/api/v1/exports/visits.xlsx")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_admins_export_like_editors(admin_client_api, editor_client, dataset):
    assert read(admin_client_api.get("/api/v1/exports/visits.csv")) == read(editor_client.get("/api/v1/exports/visits.csv"))
