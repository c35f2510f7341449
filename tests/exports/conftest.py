import datetime as dt
import uuid

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from surveys.models import Discrepancy, Photo
from tests.factories import ClaimFactory, ObservationFactory, SiteFactory, VisitFactory, make_user

UTC = dt.timezone.utc


def read(response) -> bytes:
    return b"".join(response.streaming_content)


def make_photo(visit, *, approved: bool, content: bytes = b"\xff\xd8display\xff\xd9") -> Photo:
    photo = Photo(visit=visit, original_format="jpeg", original_size=3, sha256="0" * 64, status="ready",
                  latitude=31.5, longitude=121.5, approved_at=timezone.now() if approved else None)
    photo.original.save("o", ContentFile(b"original bytes"), save=False)
    photo.display.save("d", ContentFile(content), save=False)
    photo.save()
    return photo


@pytest.fixture
def dataset(db):
    """The product doc's example, small: Chinese notes, open ranges, empty fields, formula-like text."""
    reporter = make_user("reporter", "li-wei")
    park = SiteFactory(name="Jiangbei Industrial Park", kind="park", latitude=31.2, longitude=121.4)
    plot = SiteFactory(name="恒达光伏玻璃 二期", kind="project", latitude=None, longitude=None)
    visits = {
        "gate": VisitFactory(
            id=uuid.UUID("00000000-0000-4000-8000-000000000001"), site=park, reporter=reporter,
            started_at=dt.datetime(2025, 10, 14, 6, 5, tzinfo=UTC),
            ended_at=dt.datetime(2025, 10, 14, 7, 0, 30, 250000, tzinfo=UTC),
            latitude=31.2345, longitude=121.4567, notes="门卫说园区里实际只有几十家企业, \"a few dozen\"",
            observed_status="operating", activity_level=3, activity_signs=["40-50 cars", "=cmd|' /C calc'!A0"]),
        "formula": VisitFactory(
            id=uuid.UUID("00000000-0000-4000-8000-000000000002"), site=park, reporter=reporter,
            started_at=dt.datetime(2025, 10, 20, 2, 0, 0, 123000, tzinfo=UTC),
            latitude=31.2, longitude=121.4, notes="=HYPERLINK(\"http://x\")\nsecond line"),
        "plot": VisitFactory(
            id=uuid.UUID("00000000-0000-4000-8000-000000000003"), site=plot, reporter=reporter,
            started_at=dt.datetime(2025, 11, 1, 8, 0, tzinfo=UTC), notes="二期用地杂草丛生，未见施工"),
    }
    observations = {
        "headcount": ObservationFactory(
            id=uuid.UUID("00000000-0000-4000-8000-0000000000a1"), visit=visits["gate"], low=600.0, high=700.0,
            quote="一期约六七百人上班", source_role="canteen worker", confidence=0.7),
        "enterprises": ObservationFactory(
            id=uuid.UUID("00000000-0000-4000-8000-0000000000a2"), visit=visits["gate"], metric="enterprises",
            low=24.0, high=None, unit="enterprise", qualifier="at_least", quote="+ only a few dozen",
            source_role="@guard", confidence=0.55),
        "negative": ObservationFactory(
            id=uuid.UUID("00000000-0000-4000-8000-0000000000a3"), visit=visits["formula"], metric="area",
            low=-5.0, high=1234567.5, unit="m2", qualifier="range", quote="-5 is a number here, this is text"),
        "status": ObservationFactory(
            id=uuid.UUID("00000000-0000-4000-8000-0000000000a4"), visit=visits["plot"], metric="status",
            low=None, high=None, unit="", qualifier="exact", status_value="not_started", quote="", method="counted"),
    }
    claims = {
        "headcount": ClaimFactory(site=park, low=2500.0, high=2500.0, is_target=True,
                                  text="达产后将带动就业2500人", source_name="Provincial press office",
                                  source_url="https://gov.example.cn/news/1", source_kind="government"),
        "enterprises": ClaimFactory(site=park, metric="enterprises", low=150.0, high=None, unit="enterprise",
                                    qualifier="at_least", text="more than 150 enterprises have settled in the park",
                                    source_name="Park operator", source_url="", source_kind="company",
                                    published_on=None),
        "status": ClaimFactory(site=plot, metric="status", low=None, high=None, unit="", status_value="operating",
                               due_date=dt.date(2025, 6, 30), text="=2+3 to be put into production by June",
                               source_name="Wang Jun", source_kind="other"),
    }
    reviewed = dt.datetime(2025, 11, 3, 9, 30, tzinfo=UTC)
    discrepancies = {
        "confirmed": Discrepancy.objects.create(
            claim=claims["headcount"], site=park, metric="headcount", kind="numeric", severity="high",
            claimed={"low": 2500.0, "high": 2500.0, "unit": "person", "status_value": None, "due_date": None},
            observed={"low": 600.0, "high": 700.0, "unit": "person", "status_value": None}, ratio=0.26,
            explanation="Claimed 2,500 jobs at full production; about 600-700 seen.",
            explanation_zh="声称达产后2500人，实地约六七百人。", status="confirmed", reviewed_at=reviewed,
            observed_visit=visits["gate"]),
        "open": Discrepancy.objects.create(
            claim=claims["enterprises"], site=park, metric="enterprises", kind="numeric", severity="medium",
            claimed={"low": 150.0, "high": None, "unit": "enterprise", "status_value": None, "due_date": None},
            observed={"low": 24.0, "high": None, "unit": "enterprise", "status_value": None}, ratio=0.16,
            explanation="-More than 150 claimed, a few dozen seen.", status="open", observed_visit=visits["gate"]),
        "timeline": Discrepancy.objects.create(
            claim=claims["status"], site=plot, metric="status", kind="timeline", severity="low",
            claimed={"low": None, "high": None, "unit": "", "status_value": "operating", "due_date": "2025-06-30"},
            observed={"low": None, "high": None, "unit": "", "status_value": "not_started"}, ratio=None,
            explanation="Due in June; not started.", status="confirmed",
            reviewed_at=dt.datetime(2025, 11, 4, 1, 0, tzinfo=UTC), observed_visit=visits["plot"]),
    }
    return {"reporter": reporter, "park": park, "plot": plot, "visits": visits, "observations": observations,
            "claims": claims, "discrepancies": discrepancies}
