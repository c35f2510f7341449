"""GeoJSON against RFC 7946 (a committed JSON Schema) and ClaimReview against schema.org (a committed slice)."""
import json
import re
from pathlib import Path

import jsonschema
import pytest

from tests.exports.conftest import read

pytestmark = pytest.mark.django_db
HERE = Path(__file__).parent
GEOJSON_SCHEMA = json.loads((HERE / "geojson.schema.json").read_text())
SCHEMA_ORG = json.loads((HERE / "schemaorg-slice.json").read_text())["types"]

DATA_TYPES = {
    "Text": lambda v: isinstance(v, str),
    "URL": lambda v: isinstance(v, str) and re.fullmatch(r"https?://\S+", v) is not None,
    "Number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "Date": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None,
    "DateTime": lambda v: isinstance(v, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", v) is not None,
}


def _is_a(type_name: str, expected: str) -> bool:
    while type_name is not None:
        if type_name == expected:
            return True
        type_name = SCHEMA_ORG[type_name]["parent"]
    return False


def _properties(type_name: str) -> dict:
    allowed = {}
    while type_name is not None:
        allowed = {**SCHEMA_ORG[type_name]["properties"], **allowed}
        type_name = SCHEMA_ORG[type_name]["parent"]
    return allowed


def schema_org_errors(node: dict, path: str = "$") -> list[str]:
    """Every property must belong to the node's type (or a parent) and hold one of its expected types."""
    type_name = node.get("@type")
    if type_name not in SCHEMA_ORG:
        return [f"{path}: unknown @type {type_name!r}"]
    errors, allowed = [], _properties(type_name)
    for name, value in node.items():
        if name.startswith("@"):
            continue
        if name not in allowed:
            errors.append(f"{path}.{name}: not a property of {type_name}")
            continue
        expected = allowed[name]
        if isinstance(value, dict):
            if not any(_is_a(value.get("@type"), e) for e in expected if e in SCHEMA_ORG):
                errors.append(f"{path}.{name}: {value.get('@type')} is not one of {expected}")
            errors += schema_org_errors(value, f"{path}.{name}")
        elif not any(DATA_TYPES[e](value) for e in expected if e in DATA_TYPES):
            errors.append(f"{path}.{name}: {value!r} is not one of {expected}")
    return errors


def test_visits_geojson_is_valid_rfc_7946(editor_client, exporter_client, dataset):
    for client in (editor_client, exporter_client):
        response = client.get("/api/v1/exports/visits.geojson")
        assert response["Content-Type"] == "application/geo+json"
        document = json.loads(read(response))
        jsonschema.validate(document, GEOJSON_SCHEMA)
        assert len(document["features"]) == 3


def test_geojson_points_are_longitude_first(editor_client, dataset):
    gate = json.loads(read(editor_client.get("/api/v1/exports/visits.geojson")))["features"][0]
    assert gate["geometry"] == {"type": "Point", "coordinates": [121.4567, 31.2345]}
    assert gate["properties"]["position_source"] == "visit"
    assert gate["id"] == "00000000-0000-4000-8000-000000000001"


def test_the_schema_rejects_what_rfc_7946_rejects():
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [31.2, 121.4]}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, GEOJSON_SCHEMA)  # latitude out of range: lat/lon swapped


def test_claimreview_is_schema_org_for_each_confirmed_discrepancy(editor_client, dataset, settings):
    settings.NEWSROOM_NAME, settings.NEWSROOM_URL = "Field Desk 现场", "https://news.example.org/"
    response = editor_client.get("/api/v1/exports/claimreview.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(read(response))
    assert document["@context"] == "https://schema.org"
    reviews = document["@graph"]
    assert len(reviews) == 2  # the open discrepancy is not reviewed
    for review in reviews:
        assert schema_org_errors(review) == []
    headcount, timeline = reviews  # ordered by review time
    confirmed = dataset["discrepancies"]["confirmed"]
    assert headcount == {
        "@type": "ClaimReview",
        "url": f"https://news.example.org/discrepancies/{confirmed.pk}",
        "claimReviewed": "达产后将带动就业2500人",
        "reviewBody": "Claimed 2,500 jobs at full production; about 600-700 seen.",
        "datePublished": "2025-11-03T09:30:00Z",
        "author": {"@type": "Organization", "name": "Field Desk 现场", "url": "https://news.example.org"},
        "itemReviewed": {
            "@type": "Claim", "datePublished": "2025-03-10",
            "author": {"@type": "Organization", "name": "Provincial press office",
                       "url": "https://gov.example.cn/news/1"},
        },
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
                         "alternateName": "Not supported by what we saw"},
    }
    # A source of kind "other" is a person; text is not neutralised in JSON.
    assert timeline["itemReviewed"]["author"] == {"@type": "Person", "name": "Wang Jun"}
    assert timeline["claimReviewed"] == "=2+3 to be put into production by June"
    assert timeline["reviewRating"]["alternateName"] == "Partly supported by what we saw"


def test_claimreview_has_no_urls_without_a_newsroom_url(editor_client, dataset, settings):
    settings.NEWSROOM_URL = ""
    review = json.loads(read(editor_client.get("/api/v1/exports/claimreview.jsonld")))["@graph"][0]
    assert "url" not in review and "url" not in review["author"]
    assert review["author"]["name"] == settings.NEWSROOM_NAME


def test_the_validator_catches_a_wrong_property():
    assert schema_org_errors({"@type": "ClaimReview", "claimReviewed": "x", "rating": 3})
    assert schema_org_errors({"@type": "ClaimReview", "datePublished": "yesterday"})
    assert schema_org_errors({"@type": "ClaimReview", "author": {"@type": "Rating"}})
