"""Query parameters of the lists: strict values, a 400 naming the field, the same rules everywhere."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.selectors.desk import QueueFilters
from tests.factories import ClaimFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url, field", [
    ("/api/v1/sites/?site=abc&parent=abc", "parent"),
    ("/api/v1/sites/?verified=maybe", "verified"),
    ("/api/v1/sites/?kind=castle", "kind"),
    ("/api/v1/claims/?site=abc", "site"),
    ("/api/v1/claims/?organization=-3", "organization"),
    ("/api/v1/claims/?metric=smiles", "metric"),
    ("/api/v1/visits/?site=1e309", "site"),
    ("/api/v1/visits/?site=99999999999999999999999999", "site"),
    ("/api/v1/visits/?since=yesterday", "since"),
    ("/api/v1/visits/?until=2025-13-01", "until"),
    ("/api/v1/visits/?updated_since=soon", "updated_since"),
    ("/api/v1/observations/?visit=not-a-uuid", "visit"),
    ("/api/v1/photos/?visit=12", "visit"),
    ("/api/v1/discrepancies/?status=maybe", "status"),
    ("/api/v1/discrepancies/?severity=huge", "severity"),
    ("/api/v1/discrepancies/?site=x", "site"),
    ("/api/v1/organizations/?search=a%00b", "search"),
    ("/api/v1/discrepancies/?assignee=a%00b", "assignee"),
    ("/api/v1/audit/?since=tomorrow", "since"),
])
def test_a_bad_filter_value_is_a_400_naming_the_field(editor_client, url, field):
    response = editor_client.get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"] and body["detail"]


def test_verified_reads_true_and_false_words(editor_client):
    SiteFactory(name="Checked", verified=True)
    SiteFactory(name="Proposed", verified=False)
    names = lambda query: [s["name"] for s in editor_client.get(f"/api/v1/sites/?{query}").json()["results"]]  # noqa: E731
    assert names("verified=true") == names("verified=1") == names("verified=YES") == ["Checked"]
    assert names("verified=false") == names("verified=0") == names("verified=no") == ["Proposed"]


def test_filters_still_filter(editor_client, reporter):
    park, other = SiteFactory(kind="park"), SiteFactory(kind="factory")
    VisitFactory(reporter=reporter, site=park)
    VisitFactory(reporter=reporter, site=other)
    ClaimFactory(site=park, metric="headcount")
    ClaimFactory(site=park, metric="area")
    assert [v["site"] for v in editor_client.get(f"/api/v1/visits/?site={park.pk}").json()["results"]] == [park.pk]
    assert editor_client.get("/api/v1/visits/?site=987654321").json()["results"] == []  # unknown: nothing, no error
    claims = editor_client.get(f"/api/v1/claims/?site={park.pk}&metric=area").json()["results"]
    assert [c["metric"] for c in claims] == ["area"]
    assert [s["id"] for s in editor_client.get("/api/v1/sites/?kind=park").json()["results"]] == [park.pk]


def test_the_desk_queue_reads_the_same_filters_and_drops_a_bad_one():
    filters = QueueFilters.from_params({"site": "12", "severity": "huge", "metric": "area"}, default_status="open")
    assert filters == QueueFilters(status="open", site=12, metric="area")
    assert QueueFilters.from_params({"status": ""}, default_status="open").status == ""


def test_the_export_command_refuses_bad_filters_like_the_api(tmp_path):
    with pytest.raises(CommandError, match="--since"):
        call_command("export", "visits.csv", "--since", "yesterday", "--output", str(tmp_path / "v.csv"))
