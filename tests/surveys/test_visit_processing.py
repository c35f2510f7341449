import pytest
from django.db import IntegrityError, OperationalError, connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Visit
from surveys.services import visit_processing
from surveys.services.visit_processing import visit_process
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def test_a_stale_revision_does_nothing():
    visit = VisitFactory(notes="about 600-700 people work here")
    assert visit_process(visit_id=visit.pk, revision=visit.revision + 1) == "stale"
    visit.refresh_from_db()
    assert visit.processing == "pending" and not visit.observations.exists()


def test_processing_twice_leaves_one_set_of_extracted_observations():
    visit = VisitFactory(notes="A worker said about 600-700 people work on the shift.")
    assert visit_process(visit_id=visit.pk, revision=visit.revision) == "done"
    first = set(visit.observations.values_list("pk", flat=True))
    # A duplicate delivered while the first run was still going saw the visit pending too.
    Visit.objects.filter(pk=visit.pk).update(processing="pending")
    assert visit_process(visit_id=visit.pk, revision=visit.revision) == "done"
    assert set(visit.observations.values_list("pk", flat=True)) == first and len(first) == 1


def test_a_duplicate_message_after_processing_costs_one_query(django_assert_num_queries):
    visit = VisitFactory(notes="A worker said about 600-700 people work on the shift.")
    assert visit_process(visit_id=visit.pk, revision=visit.revision) == "done"
    with django_assert_num_queries(1):
        assert visit_process(visit_id=visit.pk, revision=visit.revision) == "already processed"


def test_the_query_count_does_not_grow_with_the_facts_a_visit_holds():
    counts = []
    for notes in ("A guard said about 600-700 people work here.",
                  "A guard said about 600-700 people work here. 门卫说园区里实际只有几十家企业。"
                  "Counted 45 cars; the plant makes about 20,000 t a year."):
        visit = VisitFactory(notes=notes)
        with CaptureQueriesContext(connection) as queries:
            assert visit_process(visit_id=visit.pk, revision=visit.revision) == "done"
        counts.append((visit.observations.count(), len(queries)))
    (one_fact, few), (many_facts, more) = counts
    assert one_fact == 1 and many_facts >= 3
    assert few == more


def test_an_engine_error_ends_failed_with_the_reason(monkeypatch):
    visit = VisitFactory(notes="x")

    def broken(*args, **kwargs):
        raise ValueError("cannot read this")

    monkeypatch.setattr("surveys.engine.extract_observations", broken)
    assert visit_process(visit_id=visit.pk, revision=visit.revision) == "failed"
    visit.refresh_from_db()
    assert visit.processing == "failed" and "cannot read this" in visit.processing_error


def test_a_duplicate_run_failing_after_the_first_finished_leaves_the_visit_done(monkeypatch):
    visit = VisitFactory(notes="A worker said about 600-700 people work on the shift.")
    replace = visit_processing.visit_replace_extracted

    def racing(*, visit):
        # The duplicate read the visit pending; the first run finishes meanwhile, and the
        # duplicate's insert then meets the rows the first one wrote.
        monkeypatch.setattr(visit_processing, "visit_replace_extracted", replace)
        assert visit_process(visit_id=visit.pk, revision=visit.revision) == "done"
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(visit_processing, "visit_replace_extracted", racing)
    assert visit_process(visit_id=visit.pk, revision=visit.revision) == "failed"
    visit.refresh_from_db()
    assert (visit.processing, visit.processing_error) == ("done", "")
    assert visit.observations.count() == 1


def test_a_database_outage_is_left_to_the_task_retry(monkeypatch):
    visit = VisitFactory(notes="x")

    def outage(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("surveys.services.visit_processing.visit_replace_extracted", outage)
    with pytest.raises(OperationalError):
        visit_process(visit_id=visit.pk, revision=visit.revision)
    visit.refresh_from_db()
    assert visit.processing == "pending"
