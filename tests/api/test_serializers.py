"""The model serializers introspect their model once per class; instances never share state."""
import pytest
from rest_framework.test import APIRequestFactory

from api.serializers.visits import ObservationSerializer, VisitSerializer
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def serializer_for(serializer_class, user, **kwargs):
    request = APIRequestFactory().get("/")
    request.user = user
    return serializer_class(context={"request": request}, **kwargs)


def test_fields_adjusted_by_one_instance_leave_the_others_alone(reporter, other_reporter, editor):
    mine = VisitFactory(reporter=reporter)
    VisitFactory(reporter=other_reporter)
    for_reporter = serializer_for(ObservationSerializer, reporter)
    for_editor = serializer_for(ObservationSerializer, editor)
    assert for_reporter.fields["rejected"].read_only and not for_editor.fields["rejected"].read_only
    assert list(for_reporter.fields["visit"].queryset) == [mine]
    assert for_editor.fields["visit"].queryset.count() == 2
    assert not serializer_for(ObservationSerializer, editor).fields["rejected"].read_only


def test_each_instance_binds_its_own_fields(reporter):
    first, second = serializer_for(VisitSerializer, reporter), serializer_for(VisitSerializer, reporter)
    for name in ("site", "notes", "activity_signs"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    # A field with a child is copied whole: its child is bound to the copy.
    assert first.fields["activity_signs"].child is not second.fields["activity_signs"].child
    assert first.fields["activity_signs"].child.parent is first.fields["activity_signs"]


def test_cached_fields_validate_like_fresh_ones(reporter):
    visit = VisitFactory(reporter=reporter)
    data = {"site": visit.site_id, "started_at": "2025-10-14T14:05:00+08:00", "activity_signs": ["x" * 201]}
    for _ in range(2):
        serializer = serializer_for(VisitSerializer, reporter, data=data)
        assert not serializer.is_valid()
        assert set(serializer.errors) == {"activity_signs"}
