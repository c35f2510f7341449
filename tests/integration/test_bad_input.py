"""Bad input on PostgreSQL: NUL bytes (no text column holds one) and integers past 64 bits."""
import pytest

from tests.factories import ClaimFactory, SiteFactory, VisitFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def assert_error(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:300])
    return response.json()


@pytest.mark.parametrize("url, field", [
    ("/api/v1/sites/?search=a%00b", "search"),
    ("/api/v1/organizations/?search=%00", "search"),
    ("/api/v1/discrepancies/?assignee=ed%00", "assignee"),
    ("/api/v1/audit/?object_id=1%00", "object_id"),
    ("/api/v1/audit/?actor=a%00", "actor"),
    ("/api/v1/claims/?metric=area%00", "metric"),
    ("/api/v1/exports/claims.csv?metric=%00", "metric"),
    ("/api/v1/users/a%00b/revoke-tokens/", "path"),
])
def test_nul_bytes_are_a_400_on_postgresql(admin_client_api, url, field):
    response = admin_client_api.post(url) if "revoke" in url else admin_client_api.get(url)
    assert field in assert_error(response)["errors"]


def test_nul_bytes_in_body_text_are_a_400_on_postgresql(editor_client):
    for body in ('{"name": "a\\u0000b"}', '{"name": "ab", "aliases": ["\\u0000"]}'):
        response = editor_client.post("/api/v1/sites/", body, content_type="application/json")
        assert assert_error(response)["errors"]


@pytest.mark.parametrize("query", ["site=99999999999999999999", "site=9223372036854775808"])
def test_huge_integers_in_filters_are_a_400_on_postgresql(editor_client, query):
    ClaimFactory()
    for url in ("/api/v1/claims/", "/api/v1/visits/", "/api/v1/discrepancies/", "/api/v1/exports/visits.csv"):
        assert "site" in assert_error(editor_client.get(f"{url}?{query}"))["errors"]


def test_huge_ids_in_paths_and_bodies_on_postgresql(editor_client, reporter_client, reporter):
    VisitFactory(reporter=reporter)
    for url in ("/api/v1/sites/99999999999999999999999/", "/api/v1/claims/9223372036854775808/",
                "/api/v1/discrepancies/99999999999999999999999/"):
        assert_error(editor_client.get(url), 404)
    for site in ("99999999999999999999999", "9223372036854775808", "1e300"):
        body = '{"site": %s, "started_at": "2025-10-14T14:05:00+08:00"}' % site
        response = reporter_client.post("/api/v1/visits/", body, content_type="application/json")
        assert "site" in assert_error(response)["errors"]


def test_far_offsets_on_postgresql(editor_client):
    SiteFactory()
    assert editor_client.get("/api/v1/sites/?offset=4611686018427387904").json()["results"] == []
    assert "offset" in assert_error(editor_client.get("/api/v1/sites/?offset=9223372036854775808"))["errors"]
