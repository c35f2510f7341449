"""Every `select_for_update` path, run on PostgreSQL: it answers, and it waits for a lock on its row.

SQLite ignores FOR UPDATE, so a lock PostgreSQL refuses (the nullable side of an outer
join) or a lock on the wrong row only shows here. Each case below holds the row's lock
from a second connection and checks that the path waits for it (a short lock_timeout
turns the wait into an error), then runs the path again once the lock is gone.
`LOCKING_PATHS` names every function that calls select_for_update; a test in the
SQLite tier (tests/surveys/test_locking_paths.py) fails when a new one is not listed.
"""
import contextlib

import psycopg
import pytest
from django.db import OperationalError, connection, transaction

from surveys.models import Discrepancy, LinkProposal, Observation, Photo, Site
from tests.conftest import client_for
from tests.desk.conftest import make_discrepancy, make_photo
from tests.factories import ClaimFactory, ObservationFactory, OrganizationFactory, SiteFactory, VisitFactory, make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def locked_by_another_connection(model, pk):
    """A second session holds FOR UPDATE on the row until the block ends."""
    params = connection.get_connection_params()
    other = psycopg.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")})
    try:
        other.execute(f'SELECT 1 FROM "{model._meta.db_table}" WHERE "{model._meta.pk.column}" = %s FOR UPDATE',
                      [pk])
        yield
    finally:
        other.rollback()
        other.close()


def waits_for_the_lock(call) -> bool:
    """Whether `call` blocks on a row lock (a lock_timeout of 300 ms ends the wait)."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            call()
    except OperationalError as error:
        return "lock timeout" in str(error)
    return False


@pytest.fixture
def editor():
    return make_user("editor")


@pytest.fixture
def evidence():
    reporter = make_user("reporter")
    visit = VisitFactory(reporter=reporter, notes="about 600-700 people work here")
    observation = ObservationFactory(visit=visit)
    claim = ClaimFactory(site=visit.site)
    return {"reporter": reporter, "visit": visit, "observation": observation, "claim": claim,
            "discrepancy": make_discrepancy(claim=claim, observations=[observation])}


def _assign(objs, editor):
    from surveys.services.desk import discrepancy_assign

    return Discrepancy, objs["discrepancy"].pk, lambda: discrepancy_assign(
        discrepancy=objs["discrepancy"], assignee=editor, actor=editor)


def _review(objs, editor):
    from surveys.services.review import discrepancy_review

    return Discrepancy, objs["discrepancy"].pk, lambda: discrepancy_review(
        discrepancy=objs["discrepancy"], reviewer=editor, status="confirmed", note="seen")


def _decide_proposal(objs, editor):
    from surveys.services.desk import link_proposal_decide

    site = objs["visit"].site
    proposal = LinkProposal.objects.create(site=site, candidate_organization=OrganizationFactory(), score=90.0,
                                           site_name=site.name, candidate_name="Group")
    return LinkProposal, proposal.pk, lambda: link_proposal_decide(proposal=proposal, accept=True, actor=editor)


def _decide_proposal_site(objs, editor):
    """Accepting also locks the site whose organization or names it changes."""
    model, pk, call = _decide_proposal(objs, editor)
    return Site, objs["visit"].site_id, call


def _merge_sites(objs, editor):
    """A merge locks both sites (the duplicate here) before moving visits, claims and discrepancies."""
    from surveys.services.linking import site_merge

    duplicate = objs["visit"].site
    canonical = SiteFactory(verified=True)
    return Site, duplicate.pk, lambda: site_merge(duplicate=duplicate, canonical=canonical, actor=editor)


def _verify_site(objs, editor):
    from surveys.services.desk import site_verify

    site = SiteFactory(verified=False)
    return Site, site.pk, lambda: site_verify(site=site, actor=editor)


def _approve_photo(objs, editor):
    from surveys.services.desk import photo_approve

    photo = make_photo(objs["visit"])
    return Photo, photo.pk, lambda: photo_approve(photo=photo, approved=True, actor=editor)


def _reject_photo(objs, editor):
    from surveys.services.desk import photo_reject

    photo = make_photo(objs["visit"])
    return Photo, photo.pk, lambda: photo_reject(photo=photo, reason="not the site", actor=editor)


def _decide(objs, editor):
    from surveys.services.desk import discrepancy_decide

    return Discrepancy, objs["discrepancy"].pk, lambda: discrepancy_decide(
        discrepancy=objs["discrepancy"], reviewer=editor, status="dismissed", note="duplicate")


def _undo(objs, editor):
    from surveys.services.desk import discrepancy_decide, discrepancy_review_undo

    decision = discrepancy_decide(discrepancy=objs["discrepancy"], reviewer=editor, status="confirmed", note="")
    return Discrepancy, objs["discrepancy"].pk, lambda: discrepancy_review_undo(
        discrepancy=objs["discrepancy"], actor=editor, event_id=decision.event_id, before=decision.before)


def _rematch_site(objs, editor):
    from surveys.services.matching import site_rematch

    return Discrepancy, objs["discrepancy"].pk, lambda: site_rematch(site_id=objs["visit"].site_id)


def _rematch_claim(objs, editor):
    from surveys.services.matching import claim_rematch

    return Discrepancy, objs["discrepancy"].pk, lambda: claim_rematch(claim_id=objs["claim"].pk)


def _replace_extracted(objs, editor):
    from surveys.services.visit_processing import visit_replace_extracted

    visit = objs["visit"]
    extracted = ObservationFactory(visit=visit, extracted=True)
    return Observation, extracted.pk, lambda: visit_replace_extracted(visit=visit)


def _link_site(objs, editor):
    from surveys.services.linking import site_link

    site = objs["visit"].site
    return Site, site.pk, lambda: site_link(site_id=site.pk)


def _create_token(objs, editor):
    """Logins of one user queue on the user row, so one device keeps one live token."""
    from django.contrib.auth import get_user_model

    from surveys.services.tokens import token_create

    reporter = objs["reporter"]
    return get_user_model(), reporter.pk, lambda: token_create(user=reporter, device="phone")


def _odk_submission(objs):
    import hashlib

    from surveys.models import OdkAttachment, OdkInstance, OdkSubmission

    visit, xml = objs["visit"], b"<data id='site_visit'/>"
    record = OdkSubmission.objects.create(visit=visit, instance_id=f"uuid:{visit.pk}", xml=xml, form_version="v",
                                          submitter=objs["reporter"])
    OdkInstance.objects.create(instance_id=record.instance_id, submission=record,
                               xml_sha256=hashlib.sha256(xml).hexdigest())
    return record, OdkAttachment.objects.create(submission=record, name="gate.jpg")


def _resubmit(objs, editor):
    """A resubmission of one instanceID waits for the one in progress (Collect re-sends in parallel)."""
    from surveys.odk.instance import Instance
    from surveys.services.submissions import SubmissionPayload, submission_receive

    record, _ = _odk_submission(objs)
    instance = Instance(form_id="site_visit", version="v", instance_id=record.instance_id, deprecated_id=None,
                        visit_id=record.visit_id)
    payload = SubmissionPayload(instance=instance, xml=bytes(record.xml), visit_values={}, site=None, new_site=None,
                                observations=[])
    return type(record), record.pk, lambda: submission_receive(submitter=objs["reporter"], payload=payload, files={})


def _store_attachment(objs, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys.services.submissions import submission_attachment_store
    from tests.imaging import samples

    record, attachment = _odk_submission(objs)
    photo = SimpleUploadedFile("gate.jpg", samples.jpeg_with_metadata(width=320, height=240))
    return type(attachment), attachment.pk, lambda: submission_attachment_store(
        record=record, name="gate.jpg", upload=photo, actor=objs["reporter"])


def _update_preferences(objs, editor):
    from surveys.models import NotificationPreference
    from surveys.services.notifications import notification_preference_update

    preference = NotificationPreference.objects.create(user=editor)
    return NotificationPreference, preference.pk, lambda: notification_preference_update(
        user=editor, high_severity="digest")


# Function (module.qualname) calling select_for_update -> the cases that run it.
# The outbox's claim skips locked rows instead of waiting: its own test is below.
LOCKING_PATHS = {
    "surveys.services.notifications.notification_preference_update": [_update_preferences],
    "surveys.services.outbox._claim": [],
    "surveys.services.desk.discrepancy_assign": [_assign],
    "surveys.services.review.discrepancy_review": [_review],
    "surveys.services.desk.link_proposal_decide": [_decide_proposal, _decide_proposal_site],
    "surveys.services.desk.site_verify": [_verify_site],
    "surveys.services.linking.site_merge": [_merge_sites],
    "surveys.services.desk.photo_approve": [_approve_photo],
    "surveys.services.desk.photo_reject": [_reject_photo],
    "surveys.services.desk.discrepancy_decide": [_decide],
    "surveys.services.desk.discrepancy_review_undo": [_undo],
    "surveys.services.matching._store": [_rematch_site, _rematch_claim],
    "surveys.services.visit_processing.visit_replace_extracted": [_replace_extracted],
    "surveys.services.linking.site_link": [_link_site],
    "surveys.services.tokens.token_create": [_create_token],
    "surveys.services.submissions._locked_submission": [_resubmit],
    "surveys.services.submissions.submission_attachment_store": [_store_attachment],
}
CASES = [case for cases in LOCKING_PATHS.values() for case in cases]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__.lstrip("_") for case in CASES])
def test_the_path_waits_for_the_row_lock_then_runs(case, evidence, editor):
    model, pk, call = case(evidence, editor)
    with locked_by_another_connection(model, pk):
        assert waits_for_the_lock(call), f"{case.__name__} did not wait for the lock on {model.__name__} {pk}"
    call()


def test_assignment_answers_through_the_api_and_the_desk(evidence, editor, client):
    discrepancy = evidence["discrepancy"]
    response = client_for(editor).post(f"/api/v1/discrepancies/{discrepancy.pk}/assign/",
                                       {"assignee": editor.username}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == editor.username

    client.force_login(editor)
    response = client.post(f"/desk/discrepancies/{discrepancy.pk}/assign/", {"assignee": ""})
    assert response.status_code == 302
    assert Discrepancy.objects.get(pk=discrepancy.pk).assignee is None


def test_review_link_verify_and_approval_answer_through_the_api(evidence, editor):
    api = client_for(editor)
    discrepancy, visit = evidence["discrepancy"], evidence["visit"]
    assert api.post(f"/api/v1/discrepancies/{discrepancy.pk}/review/", {"status": "confirmed"},
                    format="json").status_code == 200
    proposal = LinkProposal.objects.create(site=visit.site, candidate_organization=OrganizationFactory(), score=90.0,
                                           site_name=visit.site.name, candidate_name="Group")
    assert api.post(f"/api/v1/link-proposals/{proposal.pk}/decide/", {"decision": "accepted"},
                    format="json").status_code == 200
    assert api.post(f"/api/v1/sites/{SiteFactory(verified=False).pk}/verify/").status_code == 200
    assert api.post(f"/api/v1/photos/{make_photo(visit).pk}/approve/", {"approved": True},
                    format="json").status_code == 200


def test_the_outbox_claim_skips_a_delivery_another_run_holds(evidence, editor):
    """Two sweeps never send one delivery: the second skips the row the first has locked, without waiting."""
    from surveys.models import Delivery
    from surveys.services.outbox import outbox_deliver_due
    from surveys.services.review import discrepancy_review

    evidence["reporter"].email = "reporter@example.org"
    evidence["reporter"].save()
    discrepancy_review(discrepancy=evidence["discrepancy"], reviewer=editor, status="needs_followup", note="")
    delivery = Delivery.objects.get(event__event="followup.requested")
    with locked_by_another_connection(Delivery, delivery.pk):
        assert not waits_for_the_lock(lambda: outbox_deliver_due())
        assert Delivery.objects.get(pk=delivery.pk).state == "pending"
    assert outbox_deliver_due() == 1
    assert Delivery.objects.get(pk=delivery.pk).state == "sent"
