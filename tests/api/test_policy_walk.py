"""Nothing withheld leaks, at any depth, through any endpoint a user can reach.

The URLs come from the URL conf (every GET route under /api/v1/ and /v1/), each
parameter filled with every object of the world below, so a new endpoint is walked
as soon as it exists; a route with a parameter this test does not know fails
`test_every_route_parameter_has_values`. Every response is parsed by its content
type (JSON, JSON Lines, CSV, GeoJSON, OData, XML, ZIP bundles) and every key and
value at any depth is checked against what the viewer must not get:

- an exporter: the positions of visits and photos, distances and GPS times (also
  inside `flag_details`), the camera and the device, originals, reporter usernames;
- a reporter: anything of a colleague's (ids, usernames, texts, positions), also
  inside another object's fields (a reused flag naming a colleague's photo).

The world plants values found nowhere else (coordinates, a distance, a GPS time, a
camera), so a leak is found by its value whatever field carries it.
"""
import csv
import datetime as dt
import io
import json
import re
import uuid
import zipfile
from xml.etree import ElementTree

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from surveys.exports.columns import FORMATS
from surveys.models import Discrepancy, ExportJob, Observation, Photo, Tombstone, Visit
from surveys.models.submissions import OdkAttachment, OdkSubmission
from surveys.odk import odata
from surveys.odk.form import FORM_ID, SITES_MEDIA
from surveys.services.tokens import token_create
from surveys.services.visits import visit_delete
from tests.factories import ClaimFactory, OrganizationFactory, SiteFactory, make_user

SITE_LAT, SITE_LON = 30.5, 120.5
# Planted facts: each appears in the database and nowhere in what the viewer may get.
VISIT_LAT, VISIT_LON = 31.271828, 121.314159
PHOTO_LAT, PHOTO_LON = 31.161803, 121.141421
COLLEAGUE_LAT, COLLEAGUE_LON = 31.414213, 121.732050
RADIUS_M, TOLERANCE_M = 300.0, 500.0
DISTANCE_M = 2345.6
EXCESS_M = round(DISTANCE_M - RADIUS_M - TOLERANCE_M, 1)
TAKEN_AT = dt.datetime(2024, 5, 14, 7, 30, 12, tzinfo=dt.timezone.utc)
GPS_TIME = dt.datetime(2024, 5, 14, 9, 41, 7, tzinfo=dt.timezone.utc)
GPS_DELTA_MINUTES = round((GPS_TIME - TAKEN_AT).total_seconds() / 60, 1)
CAMERA_MAKE, CAMERA_MODEL = "Leakcam", "LK-99 Secretline"
SOFTWARE = "Snapseed 2.19 on Leakphone 7"
DEVICE_ID, USER_AGENT = "collect:SECRETDEVICE42", "org.odk.collect.android/v2024.2.3 SecretAgent"
REPORTER, COLLEAGUE = "alice-field-reporter", "bob-colleague-reporter"


def _photo(visit, *, lat, lon, flag_details, approved=True) -> Photo:
    photo = Photo(visit=visit, original_format="jpeg", original_size=3, sha256=uuid.uuid4().hex * 2,
                  status="ready", width=640, height=480, taken_at=TAKEN_AT, latitude=lat, longitude=lon,
                  gps_time=GPS_TIME, camera_make=CAMERA_MAKE, camera_model=CAMERA_MODEL, distance_m=DISTANCE_M,
                  flags=sorted(flag_details), flag_details=flag_details, caption="the gate",
                  evidence={"Make": CAMERA_MAKE, "Model": CAMERA_MODEL, "Software": SOFTWARE},
                  approved_at=timezone.now() if approved else None)
    photo.original.save("o.jpg", ContentFile(b"original-bytes"), save=False)
    photo.display.save("d.jpg", ContentFile(b"display-bytes"), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(b"thumb-bytes"), save=False)
    photo.save()
    return photo


def _flag_details(reused_id) -> dict:
    """What the imaging flags write (surveys/imaging/flags.py), with the planted numbers."""
    return {
        "far_from_site": {"distance_m": DISTANCE_M, "radius_m": RADIUS_M, "tolerance_m": TOLERANCE_M,
                          "excess_m": EXCESS_M},
        "reused": {"matches": [{"photo_id": str(reused_id), "distance": 3}], "threshold": 10},
        "edited": {"reasons": ["gps_time_mismatch", "software"],
                   "software": {"value": SOFTWARE, "matched": "snapseed"},
                   "gps_time_mismatch": {"taken_at": TAKEN_AT.isoformat(), "gps_time": GPS_TIME.isoformat(),
                                         "delta_minutes": GPS_DELTA_MINUTES, "taken_at_has_offset": True}},
    }


def _visit(reporter, site, *, lat, lon, notes) -> Visit:
    return Visit.objects.create(site=site, reporter=reporter, started_at=TAKEN_AT - dt.timedelta(minutes=30),
                                ended_at=TAKEN_AT + dt.timedelta(minutes=30), latitude=lat, longitude=lon,
                                notes=notes, processing="done")


def _submission(visit, photo) -> OdkSubmission:
    record = OdkSubmission.objects.create(
        visit=visit, instance_id=f"uuid:{visit.pk}", xml=b"<data/>", form_version="1", submitter=visit.reporter,
        device_id=DEVICE_ID, user_agent=USER_AGENT, instance_name="site visit", location_accuracy_m=4.5)
    OdkAttachment.objects.create(submission=record, name=f"{visit.pk}.jpg", photo=photo)
    return record


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    reporter, colleague = make_user("reporter", REPORTER), make_user("reporter", COLLEAGUE)
    exporter = make_user("exporter", "data-desk")
    organization = OrganizationFactory()
    site = SiteFactory(organization=organization, latitude=SITE_LAT, longitude=SITE_LON, radius_m=RADIUS_M)
    claim = ClaimFactory(site=site, organization=organization)
    visit = _visit(reporter, site, lat=VISIT_LAT, lon=VISIT_LON, notes="Gate open.")
    theirs = _visit(colleague, site, lat=COLLEAGUE_LAT, lon=COLLEAGUE_LON, notes="colleague-notes-secret")
    observation = Observation.objects.create(visit=visit, metric="headcount", low=600, high=700, unit="person",
                                             qualifier="range", method="interview", source_role="guard")
    their_observation = Observation.objects.create(
        visit=theirs, metric="headcount", low=650, high=650, unit="person", qualifier="exact", method="interview",
        source_role="colleague-source-secret", quote="colleague-quote-secret")
    their_photo_id = uuid.uuid4()
    photo = _photo(visit, lat=PHOTO_LAT, lon=PHOTO_LON, flag_details=_flag_details(their_photo_id))
    their_photo = _photo(theirs, lat=COLLEAGUE_LAT, lon=COLLEAGUE_LON, flag_details=_flag_details(photo.pk))
    Photo.objects.filter(pk=their_photo.pk).update(id=their_photo_id)
    their_photo = Photo.objects.get(pk=their_photo_id)
    discrepancy = Discrepancy.objects.create(
        claim=claim, site=site, metric="headcount", kind="numeric", severity="high", explanation="x",
        status="confirmed", observed_visit=visit, reviewed_at=timezone.now())
    discrepancy.observations.add(observation, their_observation)
    submissions = [_submission(visit, photo), _submission(theirs, their_photo)]
    with django_capture_on_commit_callbacks(execute=True):
        from surveys.services.exports import export_job_create
        from surveys.selectors.exports import ExportFilters

        jobs = [export_job_create(user=exporter, export=export, filters=ExportFilters(),
                                  include_photos=export.name == "visits.jsonl") for export in FORMATS.values()]
    assert set(ExportJob.objects.values_list("status", flat=True)) == {"done"}
    return {
        "reporter": reporter, "colleague": colleague, "exporter": exporter, "site": site, "claim": claim,
        "organization": organization, "visit": visit, "theirs": theirs, "observation": observation,
        "their_observation": their_observation, "photo": photo, "their_photo": their_photo,
        "discrepancy": discrepancy, "submissions": submissions, "jobs": jobs,
    }


# --- Routes ---------------------------------------------------------------

def _routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith(("api/v1/", "v1/")):
            yield route, pattern


def _gets(pattern) -> bool:
    callback = pattern.callback
    if getattr(callback, "actions", None) is not None:
        return "get" in callback.actions
    if hasattr(callback, "view_class"):
        return hasattr(callback.view_class, "get")
    return True  # an ODK view: its decorator answers 405 to a method it does not take


def _parameters(route: str) -> list[str]:
    return re.findall(r"(?<!\?P)<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


# The objects a router's `pk` names, by the URL name's first word.
PK_KINDS = {"organization": ["organization"], "site": ["site"], "claim": ["claim"],
            "visit": ["visit", "theirs"], "observation": ["observation", "their_observation"],
            "photo": ["photo", "their_photo"], "discrepancy": ["discrepancy"]}
# Routes not walked, and why.
NOT_WALKED = {
    "schema": "the OpenAPI document: no data",
    "docs": "the interactive docs page: no data",
    "odk-session": "DELETE only",
    "linkproposal-detail": "editors only (403 to both roles walked)",
    "linkproposal-decide": "editors only",
    "delivery-detail": "admins only (the list answers 403 to both roles walked; payloads are walked in tests/notifications)",
}


def _values(world, name: str, parameter: str, viewer) -> list[str]:
    """Every value a route's parameter is tried with: the viewer's objects and a colleague's."""
    visits = [world["visit"], world["theirs"]]
    by_parameter = {
        "visit_id": [str(v.pk) for v in visits],
        "photo_id": [str(world["photo"].pk), str(world["their_photo"].pk)],
        "job_id": [str(job.pk) for job in world["jobs"]],
        "username": [world["reporter"].username, world["colleague"].username],
        "export_name": list(FORMATS),
        "project_id": ["1"],
        "form_id": [FORM_ID],
        "instance_id": [f"uuid:{v.pk}" for v in visits],
        "table": list(odata.TABLES),
        "name": [f"{v.pk}.jpg" for v in visits] + [SITES_MEDIA],
    }
    if parameter == "pk":
        return [str(world[kind].pk) for kind in PK_KINDS[name.split("-")[0]]]
    return by_parameter[parameter]


def _fill(route: str, parameter: str, value: str) -> str:
    route = re.sub(rf"\(\?P<{parameter}>[^)]*\)", value, route)
    return re.sub(rf"<(?:\w+:)?{parameter}>", value, route)


def _urls(world, viewer, key: str) -> list[tuple[str, str]]:
    urls = []
    for route, pattern in _routes():
        if pattern.name in NOT_WALKED or not _gets(pattern):
            continue
        filled = [re.sub(r"\$$", "", route.replace("^", "")).replace("key/_/", f"key/{key}/")]
        for parameter in _parameters(route):
            filled = [_fill(url, parameter, value) for url in filled
                      for value in _values(world, pattern.name, parameter, viewer)]
        for url in filled:
            url = "/" + url
            queries = [""]
            if not _parameters(route) and url.startswith("/api/v1/"):
                queries.append("?updated_since=2000-01-01T00:00:00Z")  # the sync feed, tombstones included
            if ".svc/" in url:
                queries += ["?$expand=*&$wkt=true", "?$expand=*"]
            if pattern.name == "photo-file":
                queries = ["?variant=display", "?variant=thumbnail", "?variant=original"]
            if pattern.name == "photo-list":
                queries.append(f"?visit={world['visit'].pk}")
            urls += [(pattern.name, url + query) for query in queries]
    return urls


def test_every_route_parameter_has_values(world):
    for route, pattern in _routes():
        if pattern.name in NOT_WALKED or not _gets(pattern):
            continue
        for parameter in _parameters(route):
            try:
                assert _values(world, pattern.name, parameter, world["exporter"])
            except KeyError:
                pytest.fail(f"{pattern.name} ({route}): give the walk values for <{parameter}>")


# --- Walking a response ---------------------------------------------------

def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _items(content_type: str, body: bytes):
    """(key, value) pairs at every depth; key None for a bare value."""
    if content_type.startswith(("image/", "application/octet-stream")) or body[:2] == b"PK":
        if body[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(body)) as bundle:
                for member in bundle.namelist():
                    data = bundle.read(member)
                    kind = ("text/csv" if member.endswith(".csv") else "image/jpeg" if member.endswith(".jpg")
                            else "application/jsonl" if member.endswith(".jsonl") else "application/json")
                    yield from _items(kind, data)
            return
        yield None, body.decode("latin-1")  # binary: the planted strings must not be in it either
        return
    text = body.decode("utf-8-sig")
    if "csv" in content_type:
        rows = list(csv.reader(io.StringIO(text)))
        header = rows[0] if rows else []
        for row in rows[1:]:
            for key, value in zip(header, row):
                yield key, value
        return
    if "jsonl" in content_type:
        for line in text.splitlines():
            if line.strip():
                yield from _walk(json.loads(line))
        return
    if "json" in content_type:
        yield from _walk(json.loads(text))
        return
    if "xml" in content_type:
        for element in ElementTree.fromstring(body).iter():
            yield element.tag.split("}")[-1], (element.text or "").strip()
            yield from element.attrib.items()
        return
    yield None, text


def _walk(value, key=None):
    if isinstance(value, dict):
        for name, item in value.items():
            yield None, name  # keys are values too: a colleague's id can be a key
            yield from _walk(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    else:
        yield key, value


def _leaks(items, *, keys: set[str], strings: set[str], numbers: set[float]) -> list[str]:
    found = []
    for key, value in items:
        if key in keys and value not in (None, "", [], {}):
            found.append(f"withheld key {key!r} = {value!r}")
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)) and any(abs(value - number) < 1e-4 for number in numbers):
            found.append(f"withheld number {value!r} under {key!r}")
        text = str(value)
        found += [f"withheld value {secret!r} in {key!r}: {text[:120]!r}" for secret in strings if secret in text]
    return found


def _walk_all(client, urls, **withheld) -> tuple[list[str], dict[str, int]]:
    leaks, statuses = [], {}
    for name, url in urls:
        response = client.get(url, HTTP_X_OPENROSA_VERSION="1.0")
        assert response.status_code < 500, (url, response.status_code)
        statuses[url] = response.status_code
        body = _body(response)
        content_type = response.get("Content-Type", "")
        leaks += [f"{url} [{response.status_code}]: {leak}"
                  for leak in _leaks(_items(content_type, body) if body else [], **withheld)]
    return leaks, statuses


def _client(user):
    from rest_framework.test import APIClient

    _, key = token_create(user=user, device=f"walk-{uuid.uuid4().hex[:8]}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, key


def _numbers(*values) -> set[float]:
    return set(values)


def _coordinate_strings(*values) -> set[str]:
    return {f"{value:.4f}" for value in values}


def test_an_exporter_gets_nothing_withheld_at_any_depth(world):
    client, key = _client(world["exporter"])
    urls = _urls(world, world["exporter"], key)
    positions = (VISIT_LAT, VISIT_LON, PHOTO_LAT, PHOTO_LON, COLLEAGUE_LAT, COLLEAGUE_LON)
    leaks, statuses = _walk_all(
        client, urls,
        keys={"distance_m", "excess_m", "gps_time", "camera_make", "camera_model", "deviceId", "userAgent",
              "location", "original"},
        strings={*_coordinate_strings(*positions), str(DISTANCE_M), str(EXCESS_M), GPS_TIME.isoformat()[:19],
                 GPS_TIME.strftime("%Y-%m-%d %H:%M"), CAMERA_MAKE, CAMERA_MODEL, "Leakphone", DEVICE_ID, USER_AGENT,
                 REPORTER, COLLEAGUE, "variant=original"},
        numbers=_numbers(*positions, DISTANCE_M, EXCESS_M, GPS_DELTA_MINUTES),
    )
    assert not leaks, "\n".join(leaks)
    # The walk reached the data it is about: photos with their flags, visits, exports, OData.
    reached = {url for url, code in statuses.items() if code == 200}
    photo = world["photo"]
    for url in (f"/api/v1/photos/{photo.pk}/", "/api/v1/photos/", f"/api/v1/visits/{world['visit'].pk}/photos/",
                "/api/v1/visits/", f"/api/v1/discrepancies/{world['discrepancy'].pk}/",
                "/api/v1/exports/visits.geojson", "/v1/projects/1/forms/site_visit.svc/Submissions?$expand=*&$wkt=true"):
        assert url in reached, (url, statuses.get(url))
    assert any("/download/" in url for url in reached)
    details = client.get(f"/api/v1/photos/{photo.pk}/").json()["flag_details"]
    assert details["far_from_site"] == {"radius_m": RADIUS_M, "tolerance_m": TOLERANCE_M}
    assert details["edited"]["gps_time_mismatch"] == {"taken_at": TAKEN_AT.isoformat(), "taken_at_has_offset": True}
    assert details["edited"]["software"] == {"matched": "snapseed"}


def test_a_reporter_gets_nothing_of_a_colleagues_at_any_depth(world):
    client, key = _client(world["reporter"])
    urls = _urls(world, world["reporter"], key)
    theirs = world["theirs"]
    deleted = _visit(world["colleague"], world["site"], lat=COLLEAGUE_LAT, lon=COLLEAGUE_LON, notes="gone")
    deleted_observation = Observation.objects.create(visit=deleted, metric="headcount", low=1, high=1, unit="person",
                                                     qualifier="exact", method="counted")
    deleted_ids = {str(deleted.pk), str(deleted_observation.pk)}
    visit_delete(visit=deleted)  # a colleague's deletions: not in the reporter's sync feeds either
    assert Tombstone.objects.filter(object_id__in=deleted_ids).count() == 2
    leaks, statuses = _walk_all(
        client, urls,
        keys=set(),
        strings={COLLEAGUE, str(theirs.pk), str(world["their_observation"].pk), str(world["their_photo"].pk),
                 *deleted_ids, "colleague-notes-secret", "colleague-quote-secret", "colleague-source-secret",
                 *_coordinate_strings(COLLEAGUE_LAT, COLLEAGUE_LON)},
        numbers=_numbers(COLLEAGUE_LAT, COLLEAGUE_LON),
    )
    # The colleague's objects appear in the URLs walked (they must answer 404), not in the bodies.
    assert not leaks, "\n".join(leaks)
    reached = {url for url, code in statuses.items() if code == 200}
    photo = world["photo"]
    assert f"/api/v1/photos/{photo.pk}/" in reached and f"/api/v1/discrepancies/{world['discrepancy'].pk}/" in reached
    assert statuses[f"/api/v1/photos/{world['their_photo'].pk}/"] == 404
    own = client.get(f"/api/v1/photos/{photo.pk}/").json()["flag_details"]
    assert own["reused"]["matches"] == [] and own["far_from_site"]["distance_m"] == DISTANCE_M  # their own facts


def test_an_editor_still_gets_every_fact(world):
    client, _ = _client(make_user("editor", "desk-editor"))
    photo = client.get(f"/api/v1/photos/{world['photo'].pk}/").json()
    assert photo["flag_details"] == _flag_details(world["their_photo"].pk)
    assert photo["latitude"] == PHOTO_LAT and photo["gps_time"] is not None
