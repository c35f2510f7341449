"""Desk test data: factories for the engine's inputs, and discrepancies created directly
(the matching engine is not what these tests are about)."""
import datetime as dt
import hashlib
import io
import itertools

import pytest
from django.core.files.base import ContentFile

from surveys.models import Discrepancy, Photo
from surveys.vocab import SEVERITY_RANK, Severity
from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory

_colours = itertools.cycle([(200, 80, 60), (60, 140, 200), (90, 170, 90), (220, 190, 70)])


@pytest.fixture
def editor_web(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reporter_web(client, reporter):
    client.force_login(reporter)
    return client


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


SHANGHAI_AFTERNOON = dt.datetime(2025, 10, 14, 6, 30, tzinfo=dt.timezone.utc)  # 14:30 in Asia/Shanghai


@pytest.fixture
def desk_world(db):
    """A queue of three open discrepancies in Chinese data (one with photos, one without), a proposed
    site, a photo to approve and a decision in the audit trail: every desk page has something to show.

    Names and texts are Chinese so that an English word on a Chinese page can only be the desk's own.
    """
    from surveys.services.review import discrepancy_review
    from surveys.vocab import Role
    from tests.factories import make_user

    editor = make_user(Role.EDITOR, "wangfang")
    reporter = make_user(Role.REPORTER, "zhaolei")
    site = SiteFactory(name="恒达光伏玻璃一期", aliases=["Hengda PV Glass, Phase 1"], latitude=30.9010,
                       longitude=118.7520, radius_m=600, timezone="Asia/Shanghai")
    visit = VisitFactory(site=site, reporter=reporter, started_at=SHANGHAI_AFTERNOON, latitude=30.9012,
                         longitude=118.7521, notes="工作日下午，大门敞开，员工停车场约有四五十辆车。门卫说大约六七百人上班。")
    guard = ObservationFactory(visit=visit, source_role="security guard", quote="门卫说大约六七百人上班",
                               method="interview")
    near = make_photo(visit, caption="午休时的大门", latitude=30.9013, longitude=118.7523, distance_m=35.0,
                      taken_at=SHANGHAI_AFTERNOON + dt.timedelta(minutes=4))
    far = make_photo(visit, caption="停车场", latitude=30.62, longitude=118.40, distance_m=31200.0,
                     taken_at=SHANGHAI_AFTERNOON + dt.timedelta(minutes=9), flags=["far_from_site"],
                     flag_details={"far_from_site": {"distance_m": 31200.0, "radius_m": 600.0, "tolerance_m": 500.0,
                                                     "excess_m": 30100.0}})
    headcount = make_discrepancy(
        claim=ClaimFactory(site=site, text="项目达产后将提供2500个就业岗位。", source_name="省发改委新闻稿",
                           source_url="https://example.gov.cn/release", is_target=True),
        observations=[guard], explanation="Provincial release claims 2,500 people; a guard said 600-700.",
        explanation_zh="省发改委新闻稿称达产后用工2500人；门卫称约六七百人。")
    investment = make_discrepancy(
        claim=ClaimFactory(site=site, metric="investment", low=8e9, high=8e9, unit="CNY", text="总投资80亿元。",
                           source_name="企业官网"),
        observations=[ObservationFactory(visit=visit, metric="investment", low=2.5e8, high=2.5e8, unit="CNY",
                                         source_role="worker", quote="工人说只投了两亿五")],
        observed={"low": 2.5e8, "high": 2.5e8, "unit": "CNY", "status_value": None},
        explanation="The company claims 8 billion yuan.", explanation_zh="企业官网称总投资80亿元；工人称约2.5亿元。")
    bare_visit = VisitFactory(site=SiteFactory(name="新河工业园", latitude=30.905, longitude=118.748),
                              reporter=reporter, started_at=SHANGHAI_AFTERNOON, notes="园区里很多厂房空着。")
    park = make_discrepancy(
        claim=ClaimFactory(site=bare_visit.site, metric="enterprises", low=150, high=None, unit="enterprise",
                           qualifier="at_least", text="园区已入驻企业150余家。", source_name="园区官网"),
        observations=[ObservationFactory(visit=bare_visit, metric="enterprises", low=24, high=99,
                                         unit="enterprise", qualifier="vague", source_role="security guard",
                                         quote="门卫说只有几十家")],
        severity="medium", explanation="The park claims more than 150 enterprises.",
        explanation_zh="园区官网称入驻企业150余家；门卫称只有几十家。")
    decided = make_discrepancy(claim=ClaimFactory(site=site, metric="area", low=3e6, high=3e6, unit="m2",
                                                  text="占地五千亩。", source_name="园区官网"),
                               observations=[ObservationFactory(visit=visit, metric="area", low=1e6, high=1e6,
                                                                unit="m2", quote="围墙内大约一千五百亩")],
                               severity="low", explanation="Area", explanation_zh="面积不符。")
    discrepancy_review(discrepancy=decided, reviewer=editor, status="confirmed", note="照片与卫星图一致。")
    proposed = SiteFactory(name="二期新地块", latitude=30.897, longitude=118.759, verified=False, proposed_by=reporter)
    VisitFactory(site=proposed, reporter=reporter, started_at=SHANGHAI_AFTERNOON, latitude=30.8972,
                 longitude=118.7588)
    return {"editor": editor, "reporter": reporter, "site": site, "visit": visit, "near": near, "far": far,
            "headcount": headcount,
            "investment": investment, "park": park, "decided": decided, "proposed": proposed,
            "bare_visit": bare_visit}
