import uuid

import pytest
from django.db import IntegrityError, transaction

from surveys.models import Visit
from surveys.services.common import insert_unless_taken
from tests.factories import SiteFactory, make_user

pytestmark = pytest.mark.django_db


def new_visit(pk, **values):
    import datetime as dt

    return Visit(id=pk, site=SiteFactory(), reporter=make_user(), notes="first",
                 started_at=dt.datetime(2025, 10, 14, tzinfo=dt.timezone.utc), **values)


def test_insert_unless_taken_inserts_once_per_id():
    pk = uuid.uuid4()
    first = new_visit(pk)
    assert insert_unless_taken(first) is True
    assert not first._state.adding and Visit.objects.get(pk=pk).created_at == first.created_at
    assert insert_unless_taken(new_visit(pk, activity_level=2)) is False
    assert Visit.objects.get(pk=pk).activity_level is None and Visit.objects.count() == 1
    first.notes = "edited"
    first.save()  # the inserted object is an ordinary saved row
    assert Visit.objects.get(pk=pk).notes == "edited"


def test_insert_unless_taken_ignores_only_a_taken_id():
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_unless_taken(new_visit(uuid.uuid4(), activity_level=9))  # the 0-4 check constraint
    assert not Visit.objects.exists()
