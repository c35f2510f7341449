"""Desk test data: factories for the engine's inputs, and discrepancies created directly
(the matching engine is not what these tests are about)."""
import hashlib
import io
import itertools

import pytest
from django.core.files.base import ContentFile

from surveys.models import Discrepancy, Photo
from surveys.vocab import SEVERITY_RANK, Severity
from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory

_colours = itertools.cycle([(200, 80, 60), (60, 140, 200), (90, 170, 90), (220, 190, 70)])


def jpeg_bytes(size=(64, 48), colour=None) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour or next(_colours)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def make_photo(visit, **values) -> Photo:
    """A processed photo with real original, display and thumbnail JPEGs in storage."""
    original = jpeg_bytes((320, 240))
    photo = Photo(visit=visit, original_format="jpeg", original_size=len(original),
                  sha256=hashlib.sha256(original).hexdigest(), status="ready", width=320, height=240, **values)
    photo.original.save("o.jpg", ContentFile(original), save=False)
    photo.display.save("d.jpg", ContentFile(jpeg_bytes((320, 240))), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(jpeg_bytes((160, 120))), save=False)
    photo.save()
    return photo


def make_discrepancy(*, claim=None, observations=(), severity=Severity.HIGH, status="open", **values) -> Discrepancy:
    claim = claim or ClaimFactory()
    observations = list(observations)
    defaults = {
        "metric": claim.metric, "kind": "numeric",
        "claimed": {"low": claim.low, "high": claim.high, "unit": claim.unit, "status_value": None, "due_date": None},
        "observed": {"low": 600.0, "high": 700.0, "unit": "person", "status_value": None},
        "ratio": 0.26, "explanation": f"Claimed {claim.low:,.0f} people; a visit saw 600-700.",
        "explanation_zh": "声称2500人；实地约六七百人。",
        "observed_visit": observations[0].visit if observations else None,
    }
    defaults.update(values)
    discrepancy = Discrepancy.objects.create(claim=claim, site=claim.site, severity=severity,
                                             severity_rank=SEVERITY_RANK[Severity(severity)], status=status, **defaults)
    discrepancy.observations.set(observations)
    return discrepancy


@pytest.fixture
def hengda(db, reporter):
    """The product example: a plant, its headcount claim, a visit with a quote and a flagged photo."""
    site = SiteFactory(name="Hengda PV Glass, Phase 1", aliases=["恒达光伏玻璃一期"])
    claim = ClaimFactory(site=site, text="will employ 2,500 people after reaching full production",
                         source_name="Provincial press release", source_url="https://example.gov.cn/release",
                         is_target=True)
    visit = VisitFactory(site=site, reporter=reporter, notes="about 600-700 people per a canteen worker")
    observation = ObservationFactory(visit=visit, source_role="canteen worker",
                                     quote="about 600-700 people work a shift here")
    photo = make_photo(visit, caption="Car park at the gate", latitude=30.3, longitude=120.1, distance_m=31200.0,
                       flags=["far_from_site"],
                       flag_details={"far_from_site": {"distance_m": 31200.0, "radius_m": 500.0,
                                                       "tolerance_m": 500.0, "excess_m": 30200.0}})
    discrepancy = make_discrepancy(claim=claim, observations=[observation])
    return {"site": site, "claim": claim, "visit": visit, "observation": observation, "photo": photo,
            "discrepancy": discrepancy}


def many_discrepancies(n: int, *, reporter=None):
    """`n` discrepancies, each with its own site, visit, observation and photo."""
    rows = []
    for i in range(n):
        visit = VisitFactory(**({"reporter": reporter} if reporter else {}))
        observation = ObservationFactory(visit=visit, source_role="security guard")
        make_photo(visit, flags=["no_location"], flag_details={"no_location": {}})
        claim = ClaimFactory(site=visit.site)
        rows.append(make_discrepancy(claim=claim, observations=[observation],
                                     severity=[Severity.HIGH, Severity.MEDIUM, Severity.LOW][i % 3]))
    return rows
