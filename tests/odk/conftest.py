import base64
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from surveys.selectors.odk import current_form
from surveys.services.submissions import form_version_remember
from surveys.services.tokens import token_create
from tests.factories import SiteFactory
from tests.imaging import samples
from tests.odk.client import VisitForm, instance_xml

OPENROSA = {"HTTP_X_OPENROSA_VERSION": "1.0"}
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def site(db):
    return SiteFactory(name="Hengda PV Glass, Phase 1", aliases=["恒达光伏玻璃一期"], latitude=30.9010,
                       longitude=118.7520, radius_m=600)


@pytest.fixture
def version(db, site):
    form = current_form()
    form_version_remember(version=form.version, md5=form.md5, media_md5=form.media_md5)
    return form.version


@pytest.fixture
def reporter_key(reporter):
    return token_create(user=reporter, device="phone")[1]


def basic(user, password="correct-horse-9") -> dict:
    encoded = base64.b64encode(f"{user.username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


def visit_form(site_row, **overrides) -> VisitForm:
    values = dict(site=str(site_row.pk), started=dt.datetime(2025, 10, 14, 14, 30, tzinfo=CST),
                  ended=dt.datetime(2025, 10, 14, 15, 20, tzinfo=CST), location=(30.9012, 118.7521, 12.0, 4.5),
                  notes="Gate open, 40-50 cars parked. A worker at the canteen said about 600-700 people work here.",
                  observed_status="operating", activity_level=3, activity_signs=["gate_open", "cars_parked"],
                  observations=[{"metric": "headcount", "low": 600, "high": 700, "method": "interview",
                                 "source_role": "canteen worker", "quote": "about 600-700 people"}],
                  photos=[("gate.jpg", "The gate"), ("carpark.jpg", "Staff car park")])
    values.update(overrides)
    return VisitForm(**values)


def jpeg(seed: int = 0) -> bytes:
    return samples.jpeg_with_metadata(width=320 + seed, height=240)


def post_submission(client: Client, path: str, xml: bytes, files: dict[str, bytes] | None = None, *,
                    incomplete: bool = False, **headers):
    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, content_type="text/xml")}
    for name, content in (files or {}).items():
        data[name] = SimpleUploadedFile(name, content, content_type="image/jpeg")
    if incomplete:
        data["*isIncomplete*"] = "yes"
    return client.post(path, data=data, **{**OPENROSA, **headers})


@pytest.fixture
def submit(client, reporter_key, version, django_capture_on_commit_callbacks):
    """POST one instance to the reporter's device-token URL; what it enqueues runs, as in-process tasks do."""

    def send(form: VisitForm, files: dict[str, bytes] | None = None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_submission(client, f"/v1/key/{reporter_key}/projects/1/submission",
                                   instance_xml(form, version=version), files, **kwargs)

    return send
