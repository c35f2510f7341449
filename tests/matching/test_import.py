import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.models import Claim
from tests.factories import OrganizationFactory, SiteFactory

pytestmark = pytest.mark.django_db

CSV = """site,organization,metric,low,high,text,source_name,published_on,is_target
{phase1},,headcount,2500,2500,"The plant will employ 2,500 people.",NDRC press release,2025-03-10,true
恒达光伏玻璃一期,,,,,"The plant will have an annual output of 1.2 million tons.",NDRC press release,2025-03-10,
Hengda Guangfu Boli Yiqi,,status,,,二期项目计划明年6月投产。,NDRC press release,2025-03-10,
,Hengda Guangfu Boli,investment,8000000000,,Total investment 8 billion yuan.,Company report,2025-01-02,
Hengda PV Glas Phase 1,,headcount,100,,Hiring 100 people.,Job board,2025-02-01,
{phase1},,headcount,-5,,Negative.,Job board,2025-02-01,
{phase1},,,,,The company is proud of its heritage.,Website,2025-02-01,
"""


@pytest.fixture
def hengda(db):
    glass = OrganizationFactory(name="Hengda PV Glass Co., Ltd.", aliases=["恒达光伏玻璃有限公司"])
    return {
        "glass": glass,
        "phase1": SiteFactory(name="Hengda PV Glass, Phase 1", aliases=["恒达光伏玻璃一期"], organization=glass),
        "phase2": SiteFactory(name="Hengda PV Glass, Phase 2", aliases=["恒达光伏玻璃二期"], organization=glass),
    }


def upload(client, content: str, name: str):
    file = io.BytesIO(content.encode())
    file.name = name
    return client.post("/api/v1/claims/import/", {"file": file}, format="multipart")


def test_csv_import_keeps_valid_rows_and_reports_each_bad_one(editor_client, hengda):
    response = upload(editor_client, CSV.format(phase1=hengda["phase1"].pk), "claims.csv")
    assert response.status_code == 200, response.json()
    report = response.json()
    assert (report["rows"], report["created"], report["unchanged"], report["failed"]) == (7, 4, 0, 3)
    errors = {e["line"]: e["errors"] for e in report["errors"]}
    assert set(errors) == {6, 7, 8}
    assert "Hengda PV Glass, Phase 1" in errors[6]["site"][0]  # the suggestion
    assert "low" in errors[7]
    assert "No figure or status" in errors[8]["text"][0]

    by_metric = {c.metric: c for c in Claim.objects.all()}
    assert by_metric["output_mass"].site == hengda["phase1"]  # Chinese alias; metric from the text
    assert by_metric["status"].site == hengda["phase1"]  # pinyin of the Chinese alias
    assert str(by_metric["status"].due_date) == "2026-06-30"
    assert by_metric["investment"].organization == hengda["glass"]  # pinyin of the organization's alias
    assert by_metric["headcount"].is_target


def test_reimporting_the_same_file_creates_nothing(editor_client, hengda):
    content = CSV.format(phase1=hengda["phase1"].pk)
    upload(editor_client, content, "claims.csv")
    report = upload(editor_client, content, "claims.csv").json()
    assert (report["created"], report["unchanged"], report["failed"]) == (0, 4, 3)
    assert Claim.objects.count() == 4


def test_jsonl_import_naming_the_site_by_alias_matches_the_csv_row_by_id(editor_client, hengda):
    upload(editor_client, CSV.format(phase1=hengda["phase1"].pk), "claims.csv")
    lines = [
        {"site": "Hengda PV Glass, Phase 1", "metric": "headcount", "low": 2500, "high": 2500,
         "text": "The plant will employ 2,500 people.", "source_name": "NDRC press release",
         "published_on": "2025-03-10", "is_target": True},
        {"site": "恒达光伏玻璃二期", "text": "园区已入驻企业超过150家。", "source_name": "Park website"},
        "not an object",
        {"site": hengda["phase2"].pk, "metric": "headcount", "low": 10, "colour": "red"},
    ]
    content = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n{broken\n"
    report = upload(editor_client, content, "claims.jsonl").json()
    assert (report["rows"], report["created"], report["unchanged"]) == (5, 1, 1)
    assert [(e["line"], sorted(e["errors"])) for e in report["errors"]] == [
        (3, ["non_field_errors"]), (4, ["colour"]), (5, ["non_field_errors"])]
    assert Claim.objects.get(metric="enterprises").site == hengda["phase2"]


def test_ambiguous_text_reports_the_row_and_a_name_shared_by_two_sites_asks_for_the_id(editor_client, hengda):
    SiteFactory(name="Twin Plant")
    SiteFactory(name="Twin  Plant")
    content = ('site,text\n'
               f'{hengda["phase1"].pk},"It will employ 2,500 people and make 1.2 million tons a year."\n'
               'Twin Plant,More than 150 enterprises.\n')
    report = upload(editor_client, content, "claims.csv").json()
    errors = {e["line"]: e["errors"] for e in report["errors"]}
    assert "several metrics" in errors[2]["text"][0]
    assert "give the id" in errors[3]["site"][0]


def test_unreadable_files_answer_400_in_the_error_shape(editor_client):
    response = upload(editor_client, "colour,size\nred,1\n", "claims.csv")
    assert response.status_code == 400
    assert "colour" in response.json()["errors"]["file"][0]
    response = editor_client.post("/api/v1/claims/import/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_only_editors_import(reporter_client, hengda):
    assert upload(reporter_client, "site,text\n1,x\n", "claims.csv").status_code == 403


def test_management_command_imports_and_reports(tmp_path, hengda, capsys):
    path = tmp_path / "claims.csv"
    path.write_text(CSV.format(phase1=hengda["phase1"].pk), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_claims", str(path))
    out, err = capsys.readouterr()
    assert "7 rows: 4 created, 0 already imported, 3 with errors" in out
    assert "line 6:" in err
    with pytest.raises(CommandError):
        call_command("import_claims", str(path))
    assert "0 created, 4 already imported" in capsys.readouterr().out
    assert Claim.objects.count() == 4


def test_each_badly_typed_value_is_reported_by_its_field_and_nothing_is_created(editor_client, hengda):
    site = hengda["phase1"].pk
    rows = [
        ({"low": "abc"}, "low"), ({"site": 999_999}, "site"), ({"metric": "bogus"}, "metric"),
        ({"due_date": "soon"}, "due_date"), ({"is_target": "maybe"}, "is_target"),
        ({"source_url": "example.com"}, "source_url"), ({"source_name": "x" * 301}, "source_name"),
        ({"unit": "kg"}, "unit"), ({"source_kind": "blog"}, "source_kind"), ({"low": [1]}, "low"),
        ({"qualifier": "nope"}, "qualifier"), ({"low": "nan"}, "low"),
    ]
    lines = [json.dumps({"site": site, "metric": "headcount", "low": 10, **change}) for change, _ in rows]
    report = upload(editor_client, "\n".join(lines), "claims.jsonl").json()
    assert (report["created"], report["failed"]) == (0, len(rows))
    assert [sorted(e["errors"]) for e in report["errors"]] == [[name] for _, name in rows]
    assert not Claim.objects.exists()


def test_spreadsheet_booleans_and_json_booleans_mean_the_same(editor_client, hengda):
    site = hengda["phase1"].pk
    content = "site,metric,low,is_target\n" + "".join(f"{site},headcount,{n},{word}\n" for n, word in
                                                     [(1, "yes"), (2, "TRUE"), (3, "0"), (4, "no")])
    assert upload(editor_client, content, "claims.csv").json()["created"] == 4
    assert dict(Claim.objects.values_list("low", "is_target")) == {1: True, 2: True, 3: False, 4: False}
