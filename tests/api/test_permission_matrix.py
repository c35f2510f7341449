"""Every object endpoint of the URL conf, every method, tried with the wrong token.

A new object endpoint fails `test_every_object_endpoint_is_in_the_matrix` until it
is given its scope here, so none ships unchecked.
"""
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver

from surveys.models import Discrepancy
from tests.conftest import client_for
from tests.factories import ClaimFactory, ObservationFactory, OrganizationFactory, SiteFactory, VisitFactory, make_user

PRIVATE, SHARED, EDITORIAL, ADMIN, JOB = "private", "shared", "editorial", "admin", "job"
# The path names a format, not an object: exports are role-checked in tests/exports.
NOT_OBJECTS = {"export"}
# url name -> (object the path names, scope)
MATRIX = {
    "organization-detail": ("organization", SHARED),
    "site-detail": ("site", SHARED),
    "claim-detail": ("claim", SHARED),
    "visit-detail": ("visit", PRIVATE),
    "observation-detail": ("observation", PRIVATE),
    "photo-detail": ("photo", PRIVATE),
    "visit-photos": ("visit", PRIVATE),
    "photo-file": ("photo", PRIVATE),
    "discrepancy-detail": ("discrepancy", PRIVATE),
    "discrepancy-review": ("discrepancy", PRIVATE),
    "discrepancy-assign": ("discrepancy", PRIVATE),
    "discrepancy-comments": ("discrepancy", PRIVATE),
    "discrepancy-decisions": ("discrepancy", PRIVATE),
    "photo-approve": ("photo", PRIVATE),
    "site-verify": ("site", SHARED),
    "linkproposal-detail": ("linkproposal", EDITORIAL),
    "linkproposal-decide": ("linkproposal", EDITORIAL),
    "user-revoke-tokens": ("user", ADMIN),
    "export-job": ("exportjob", JOB),
    "export-job-download": ("exportjob", JOB),
    "delivery-detail": ("delivery", ADMIN),
    "delivery-replay": ("delivery", ADMIN),
}


def _api_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_patterns(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            yield route, pattern


def object_endpoints():
    """(url name, route, methods) of every API route that names an object."""
    for route, pattern in _api_patterns():
        if not pattern.pattern.converters and "<" not in route:
            continue
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        if actions:
            methods = sorted(m.upper() for m in actions)
        else:
            view = callback.view_class
            methods = sorted(m.upper() for m in view.http_method_names if hasattr(view, m) and m not in ("options", "head"))
        if "(?P<format>" in route or route.endswith("\\.(?P<format>[a-z0-9]+)/?$"):
            continue
        yield pattern.name, route, methods


def test_every_object_endpoint_is_in_the_matrix():
    missing = {name for name, _, _ in object_endpoints()} - set(MATRIX) - NOT_OBJECTS
    assert not missing, f"give these endpoints a scope in the permission matrix: {missing}"


@pytest.fixture
def world(db, settings):
    owner = make_user("reporter", "owner")
    organization = OrganizationFactory()
    site = SiteFactory(organization=organization)
    claim = ClaimFactory(site=site)
    visit = VisitFactory(reporter=owner, site=site)
    observation = ObservationFactory(visit=visit)
    from surveys.models import Photo

    photo = Photo(visit=visit, original_format="jpeg", original_size=3, sha256="0" * 64, status="ready")
    photo.original.save("o", ContentFile(b"abc"), save=False)
    photo.display.save("d", ContentFile(b"def"), save=False)
    photo.thumbnail.save("t", ContentFile(b"ghi"), save=False)
    photo.save()
    discrepancy = Discrepancy.objects.create(claim=claim, site=site, metric="headcount", kind="numeric",
                                             severity="high", explanation="x")
    discrepancy.observations.add(observation)
    from surveys.models import ExportJob, LinkProposal

    exportjob = ExportJob.objects.create(requested_by=make_user("exporter", "job-owner"), format="visits.csv")

    linkproposal = LinkProposal.objects.create(site=site, candidate_site=SiteFactory(), score=90.0,
                                               site_name=site.name, candidate_name="similar")
    from django.utils import timezone

    from surveys.models import Delivery, OutboxEvent, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(name="partner", url="http://127.0.0.1:9/", secret="s",
                                              events=["discrepancy.decided"])
    event = OutboxEvent.objects.create(event="discrepancy.decided", object_type="surveys.discrepancy",
                                       object_id=str(discrepancy.pk))
    delivery = Delivery.objects.create(event=event, channel="webhook", endpoint=endpoint, state="sent",
                                       next_attempt_at=timezone.now())
    return {"delivery": delivery, "exportjob": exportjob, "linkproposal": linkproposal, "owner": owner, "organization": organization, "site": site, "claim": claim, "visit": visit,
            "observation": observation, "photo": photo, "discrepancy": discrepancy, "user": owner}


def _url(route: str, obj) -> str:
    value = str(obj.username if hasattr(obj, "username") else obj.pk)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", value, route)  # router regex groups
    return "/" + re.sub(r"<[^>]+>", value, route).replace("^", "").replace("$", "")


def _call(client, method, url):
    return getattr(client, method.lower())(url, {}, format="json")


def _cases():
    for name, route, methods in object_endpoints():
        if name not in NOT_OBJECTS:
            for method in methods:
                yield pytest.param(name, route, method, id=f"{name}-{method}")


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_second_reporter_gets_404_on_private_and_403_on_shared_writes(world, name, route, method):
    kind, scope = MATRIX[name]
    client = client_for(make_user("reporter", "intruder"))
    response = _call(client, method, _url(route, world[kind]))
    if scope == PRIVATE:
        assert response.status_code == 404, response.content
    elif scope in (ADMIN, EDITORIAL, JOB):
        assert response.status_code in (403, 404)
    elif method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 403
    assert response.status_code == 200 or "detail" in response.json()


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_exporter_reads_under_policy_and_never_writes(world, name, route, method):
    kind, scope = MATRIX[name]
    client = client_for(make_user("exporter", "data-desk"))
    url = _url(route, world[kind])
    response = _call(client, method, url)
    if scope in (ADMIN, EDITORIAL):
        assert response.status_code in (403, 404)
    elif scope == JOB:
        assert response.status_code == 404  # another exporter's job
    elif method == "GET":
        # Exporters see confirmed discrepancies only, and display images only once approved;
        # everything else is readable under the policy.
        expected = 404 if kind == "discrepancy" or name == "photo-file" else 200
        assert response.status_code == expected, response.content
    else:
        assert response.status_code in (403, 404), response.content
    if name == "photo-file":
        assert client.get(url + "?variant=original").status_code == 404


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_anonymous_gets_401(world, name, route, method):
    response = _call(client_for(None), method, _url(route, world[name and MATRIX[name][0]]))
    assert response.status_code == 401


OWNER_READS = {"visit-detail", "observation-detail", "photo-detail", "visit-photos", "photo-file",
               "discrepancy-detail"}


def test_owner_reads_own_objects(world):
    client = client_for(world["owner"])
    for name, route, methods in object_endpoints():
        kind, scope = MATRIX.get(name, (None, None))
        if "GET" in methods and (scope == SHARED or name in OWNER_READS):
            assert client.get(_url(route, world[kind])).status_code == 200, name


def test_export_job_owner_reads_it_and_other_roles_do_not(world):
    job = world["exportjob"]
    assert client_for(job.requested_by).get(f"/api/v1/exports/jobs/{job.pk}/").status_code == 200
    assert client_for(make_user("editor", "desk-lead")).get(f"/api/v1/exports/jobs/{job.pk}/").status_code == 200
    assert client_for(world["owner"]).get(f"/api/v1/exports/jobs/{job.pk}/").status_code in (403, 404)
