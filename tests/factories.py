import datetime as dt
import uuid

import factory
from django.contrib.auth import get_user_model

from surveys.models import Claim, Observation, Organization, Site, Visit
from surveys.services.users import user_upsert
from surveys.vocab import Role


def make_user(role: Role | str = Role.REPORTER, username: str | None = None, password: str = "correct-horse-9"):
    username = username or f"{Role(role).value}-{uuid.uuid4().hex[:8]}"
    user, _ = user_upsert(username=username, role=Role(role), password=password)
    return user


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    aliases = factory.LazyFunction(list)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    aliases = factory.LazyFunction(list)
    kind = "factory"
    latitude = 30.0
    longitude = 120.0
    radius_m = 500
    verified = True


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    site = factory.SubFactory(SiteFactory)
    metric = "headcount"
    low = 2500.0
    high = 2500.0
    unit = "person"
    qualifier = "exact"
    text = "The plant employs 2,500 people."
    source_name = "Provincial press release"
    source_kind = "government"
    published_on = dt.date(2025, 3, 10)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    id = factory.LazyFunction(uuid.uuid4)
    site = factory.SubFactory(SiteFactory)
    reporter = factory.LazyFunction(lambda: make_user(Role.REPORTER))
    started_at = factory.LazyFunction(lambda: dt.datetime(2025, 10, 14, 6, 0, tzinfo=dt.timezone.utc))
    notes = ""


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    id = factory.LazyFunction(uuid.uuid4)
    visit = factory.SubFactory(VisitFactory)
    metric = "headcount"
    low = 600.0
    high = 700.0
    unit = "person"
    qualifier = "range"
    method = "interview"
    confidence = 0.6


User = get_user_model()
