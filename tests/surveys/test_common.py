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


def test_insert_unless_taken_stores_what_the_orm_insert_stores():
    fields = {"latitude": 31.19, "longitude": 121.19, "activity_level": 2, "activity_signs": ["smoke", "trucks"],
              "observed_status": "operating"}
    ours, theirs = new_visit(uuid.uuid4(), **fields), new_visit(uuid.uuid4(), **fields)
    assert insert_unless_taken(ours) is True
    theirs.save(force_insert=True)
    stored = {row["id"]: row for row in Visit.objects.values()}
    compared = [name for name in stored[ours.pk] if name not in ("id", "site_id", "reporter_id", "created_at",
                                                                  "updated_at", "sync_txid")]
    assert {name: stored[ours.pk][name] for name in compared} == {name: stored[theirs.pk][name] for name in compared}
    assert stored[ours.pk]["created_at"] == ours.created_at and stored[ours.pk]["updated_at"] == ours.updated_at
