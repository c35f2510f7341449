"""Bad input never reaches a 5xx: every refusal is a 4xx in the contract's error shape.

One test per class the hostile test found: deep JSON, numbers JSON allows but nothing can hold,
huge and negative ids, NUL bytes, offsets past 64 bits, huge integers in filters (SQLite; the
PostgreSQL cases are in tests/integration/test_bad_input.py), and Django's own limits.
"""
import json

import pytest

from api.parsers import MAX_JSON_DEPTH
from tests.factories import ClaimFactory, SiteFactory, VisitFactory

pytestmark = pytest.mark.django_db

JSON_POSTS = ["/api/v1/sites/", "/api/v1/organizations/", "/api/v1/claims/", "/api/v1/visits/",
              "/api/v1/observations/", "/api/v1/exports/jobs/"]


def assert_error_shape(response, status: int | tuple = 400):
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def post_json(client, url, text: str):
    return client.post(url, text, content_type="application/json")


@pytest.mark.parametrize("url", JSON_POSTS)
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 100_000])
def test_deeply_nested_json_is_a_400(editor_client, url, depth):
    body = assert_error_shape(post_json(editor_client, url, '{"name": ' + "[" * depth + "]" * depth + "}"))
    assert "deeper" in body["detail"]


def test_json_nesting_within_the_bound_is_read(editor_client):
    aliases = json.dumps({"name": "Plot", "aliases": ["a", "b"]})
    assert post_json(editor_client, "/api/v1/sites/", aliases).status_code == 201


@pytest.mark.parametrize("number", ["1e309", "-1e309", "NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["site", "latitude"])
def test_numbers_nothing_can_hold_are_a_400(reporter_client, number, field):
    values = {"site": str(SiteFactory().pk), "started_at": '"2025-10-14T14:05:00+08:00"', field: number}
    text = "{" + ", ".join(f'"{name}": {value}' for name, value in values.items()) + "}"
    assert_error_shape(post_json(reporter_client, "/api/v1/visits/", text))


@pytest.mark.parametrize("site", ["99999999999999999999999", "-1", "0", "1e300", "1.5", '"1e309"', "true"])
def test_impossible_ids_in_a_body_are_a_400_naming_the_field(reporter_client, site):
    text = '{"site": %s, "started_at": "2025-10-14T14:05:00+08:00"}' % site
    body = assert_error_shape(post_json(reporter_client, "/api/v1/visits/", text))
    assert "site" in body["errors"]


@pytest.mark.parametrize("low", ["1e309", "1" * 400, "-" + "9" * 30])
def test_huge_numbers_in_a_claim_never_fail_the_server(editor_client, low):
    text = '{"site": %d, "metric": "headcount", "low": %s, "unit": "person"}' % (SiteFactory().pk, low)
    response = post_json(editor_client, "/api/v1/claims/", text)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert_error_shape(response)


@pytest.mark.parametrize("url", [
    "/api/v1/sites/99999999999999999999999/", "/api/v1/sites/1e309/", "/api/v1/sites/-1/",
    "/api/v1/claims/99999999999999999999999/", "/api/v1/discrepancies/99999999999999999999999/",
    "/api/v1/discrepancies/99999999999999999999999/comments/",
    "/api/v1/link-proposals/99999999999999999999999/", "/api/v1/visits/1e309/",
    "/api/v1/photos/99999999999999999999999/file/",
])
def test_impossible_ids_in_a_path_are_a_404(editor_client, url):
    assert_error_shape(editor_client.get(url), 404)


@pytest.mark.parametrize("url", [
    "/api/v1/discrepancies/99999999999999999999999/review/", "/api/v1/discrepancies/99999999999999999999999/assign/",
    "/api/v1/sites/99999999999999999999999/verify/", "/api/v1/link-proposals/99999999999999999999999/decide/",
])
def test_impossible_ids_in_an_action_path_are_a_404(editor_client, url):
    assert_error_shape(post_json(editor_client, url, "{}"), 404)


@pytest.mark.parametrize("url, field", [
    ("/api/v1/sites/?search=a%00b", "search"),
    ("/api/v1/visits/?unknown=a%00b", "unknown"),
    ("/api/v1/photos/00000000-0000-0000-0000-000000000000/file/?variant=display%00", "variant"),
    ("/api/v1/audit/?object_type=%00", "object_type"),
    ("/api/v1/exports/visits.csv?metric=area%00", "metric"),
    ("/api/v1/users/a%00b/revoke-tokens/", "path"),
])
def test_nul_bytes_in_the_path_or_query_are_a_400_naming_where(admin_client_api, url, field):
    response = admin_client_api.post(url) if "revoke" in url else admin_client_api.get(url)
    body = assert_error_shape(response)
    assert field in body["errors"]


def test_nul_bytes_in_body_text_are_a_400_naming_the_field(editor_client):
    body = assert_error_shape(post_json(editor_client, "/api/v1/sites/", '{"name": "a\\u0000b"}'))
    assert "name" in body["errors"]


@pytest.mark.parametrize("query, field", [
    ("offset=9223372036854775808", "offset"), ("offset=99999999999999999999999999", "offset"),
    ("offset=-1", "offset"), ("offset=1e3", "offset"), ("limit=0", "limit"), ("limit=abc", "limit"),
    ("limit=" + "9" * 5000, "limit"),
])
@pytest.mark.parametrize("resource", ["sites", "visits", "discrepancies", "audit"])
def test_offsets_and_limits_out_of_range_are_a_400(editor_client, resource, query, field):
    body = assert_error_shape(editor_client.get(f"/api/v1/{resource}/?{query}"))
    assert field in body["errors"]


def test_a_limit_above_the_cap_is_capped_and_a_far_offset_is_an_empty_page(editor_client, reporter):
    VisitFactory(reporter=reporter)
    assert editor_client.get("/api/v1/visits/?limit=9223372036854775808").status_code == 200
    assert editor_client.get("/api/v1/visits/?offset=4611686018427387904").json()["results"] == []


@pytest.mark.parametrize("query", ["site=99999999999999999999", "site=9223372036854775808", "site=-5",
                                   "parent=99999999999999999999"])
def test_huge_integers_in_filters_are_a_400_on_sqlite(editor_client, query):
    ClaimFactory()
    name = query.split("=")[0]
    urls = ["/api/v1/sites/"] if name == "parent" else [
        "/api/v1/claims/", "/api/v1/visits/", "/api/v1/discrepancies/", "/api/v1/exports/visits.csv"]
    for url in urls:
        assert name in assert_error_shape(editor_client.get(f"{url}?{query}"))["errors"]


def test_a_body_too_large_for_django_is_a_413_in_the_error_shape(editor_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(editor_client, "/api/v1/sites/", json.dumps({"name": "x" * 5000}))
    assert assert_error_shape(response, 413)["detail"].startswith("The request body is larger")


def test_an_undecodable_json_body_is_a_400(editor_client):
    response = editor_client.post("/api/v1/sites/", b'{"name": "\xff\xfe"}', content_type="application/json")
    assert_error_shape(response)
