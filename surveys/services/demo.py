"""The invented example of the product doc, loaded idempotently (`manage.py load_demo`)."""
import datetime as dt
import uuid

from django.db import transaction

from surveys.models import Claim, Organization, Site, Visit
from surveys.services.users import user_upsert
from surveys.services.visits import visit_create
from surveys.vocab import Role

DEMO_USERS = {"demo-editor": Role.EDITOR, "demo-reporter": Role.REPORTER}
DEMO_PASSWORD = "field-demo-2025"
CST = dt.timezone(dt.timedelta(hours=8))

PRESS_RELEASE = "Provincial Development and Reform Commission press release"
PARK_WEBSITE = "Xinhe Industrial Park operator website"

CLAIMS = [
    # (site key, metric, low, high, qualifier, status, due, target, text, source, url, kind, published)
    ("park", "enterprises", 150, None, "at_least", "", None, False,
     "More than 150 enterprises have settled in the park.", PARK_WEBSITE,
     "https://example.org/xinhe-park/about", "government", dt.date(2025, 1, 15)),
    ("park", "area", 3_333_350, 3_333_350, "exact", "", None, False,
     "The park covers 5,000 mu.", PARK_WEBSITE, "https://example.org/xinhe-park/about", "government",
     dt.date(2025, 1, 15)),
    ("phase1", "headcount", 2500, 2500, "exact", "", None, True,
     "The plant will employ 2,500 people after reaching full production, with annual output of 1.2 million tons.",
     PRESS_RELEASE, "https://example.org/ndrc/2025-03-10", "government", dt.date(2025, 3, 10)),
    ("phase1", "output_mass", 1_200_000, 1_200_000, "exact", "", None, True,
     "The plant will employ 2,500 people after reaching full production, with annual output of 1.2 million tons.",
     PRESS_RELEASE, "https://example.org/ndrc/2025-03-10", "government", dt.date(2025, 3, 10)),
    ("phase2", "status", None, None, "exact", "operating", dt.date(2025, 6, 30), False,
     "The second phase is to be put into production by June.", PRESS_RELEASE,
     "https://example.org/ndrc/2025-03-10", "government", dt.date(2025, 3, 10)),
]

VISITS = [
    ("7d3c3a4e-0f0b-4d6e-9a57-2f6c1f1e0a01", "phase1", dt.datetime(2025, 10, 14, 14, 30, tzinfo=CST),
     dt.datetime(2025, 10, 14, 15, 20, tzinfo=CST), 30.9012, 118.7521, 3, ["gate open", "cars parked", "machine noise"],
     "operating",
     "Weekday afternoon, gate open, 40-50 cars parked at the staff lot. A worker at the canteen said about "
     "600-700 people work on the day shift. Machines audible from the road."),
    ("7d3c3a4e-0f0b-4d6e-9a57-2f6c1f1e0a02", "park", dt.datetime(2025, 10, 14, 15, 40, tzinfo=CST),
     dt.datetime(2025, 10, 14, 16, 0, tzinfo=CST), 30.9050, 118.7480, 1, ["many empty plots"], "",
     "门卫说园区里实际只有几十家企业，很多厂房空着。"),
    ("7d3c3a4e-0f0b-4d6e-9a57-2f6c1f1e0a03", "phase2", dt.datetime(2025, 10, 14, 16, 10, tzinfo=CST),
     dt.datetime(2025, 10, 14, 16, 30, tzinfo=CST), 30.8968, 118.7593, 0, ["signboard", "weeds", "empty guard room"],
     "not_started",
     "二期用地杂草丛生，未见施工。围挡内只有一块项目公示牌，门卫室无人。"),
]


@transaction.atomic
def _entities() -> dict[str, Site]:
    group, _ = Organization.objects.get_or_create(name="Hengda Group", defaults={"aliases": ["恒达集团"]})
    glass, _ = Organization.objects.get_or_create(
        name="Hengda PV Glass Co., Ltd.",
        defaults={"aliases": ["恒达光伏玻璃有限公司", "Hengda Guangfu Boli"], "parent": group},
    )
    park, _ = Site.objects.get_or_create(name="Xinhe Industrial Park", defaults={
        "aliases": ["新河工业园", "Xinhe Gongyeyuan"], "kind": "park", "latitude": 30.9050, "longitude": 118.7480,
        "radius_m": 2500, "verified": True})
    phase1, _ = Site.objects.get_or_create(name="Hengda PV Glass, Phase 1", defaults={
        "aliases": ["恒达光伏玻璃一期", "Hengda Phase 1"], "kind": "factory", "organization": glass, "parent": park,
        "latitude": 30.9010, "longitude": 118.7520, "radius_m": 600, "verified": True})
    phase2, _ = Site.objects.get_or_create(name="Hengda PV Glass, Phase 2", defaults={
        "aliases": ["恒达光伏玻璃二期", "Hengda Phase 2"], "kind": "project", "organization": glass, "parent": park,
        "latitude": 30.8970, "longitude": 118.7590, "radius_m": 500, "verified": True})
    return {"park": park, "phase1": phase1, "phase2": phase2}


def _claims(sites: dict[str, Site], editor) -> list[Claim]:
    from surveys.services.entities import claim_save

    claims = []
    for key, metric, low, high, qualifier, status, due, target, text, source, url, kind, published in CLAIMS:
        existing = Claim.objects.filter(site=sites[key], metric=metric, source_name=source, text=text).first()
        if existing is None:
            existing = claim_save(claim=None, actor=editor, values={
                "site": sites[key], "metric": metric, "low": low, "high": high,
                "unit": "" if metric == "status" else {"enterprises": "enterprise", "area": "m2", "headcount": "person",
                                                      "output_mass": "t/yr"}[metric],
                "qualifier": qualifier, "status_value": status, "due_date": due, "is_target": target, "text": text,
                "source_name": source, "source_url": url, "source_kind": kind, "published_on": published})
        claims.append(existing)
    return claims


def load_demo(*, with_users: bool = True) -> dict:
    users = {name: user_upsert(username=name, role=role, password=DEMO_PASSWORD if with_users else None)[0]
             for name, role in DEMO_USERS.items()}
    sites = _entities()
    claims = _claims(sites, users["demo-editor"])
    visits = []
    for visit_id, key, started, ended, lat, lon, level, signs, status, notes in VISITS:
        visit, _ = visit_create(reporter=users["demo-reporter"], client_id=uuid.UUID(visit_id), values={
            "site": sites[key], "started_at": started, "ended_at": ended, "latitude": lat, "longitude": lon,
            "notes": notes, "observed_status": status, "activity_level": level, "activity_signs": signs})
        visits.append(visit)
    return {"sites": sites, "claims": claims, "visits": visits, "users": users,
            "visits_total": Visit.objects.filter(reporter=users["demo-reporter"]).count()}
