"""The review pages through Django's test client: access, content, actions, query counts."""
import pytest

from surveys.models import AuditEvent, Discrepancy, LinkProposal, Observation, Photo
from surveys.services.review import discrepancy_review
from tests.desk.conftest import make_discrepancy, make_photo, many_discrepancies
from tests.factories import ObservationFactory, OrganizationFactory, SiteFactory, VisitFactory, make_user

pytestmark = pytest.mark.django_db


def test_pages_need_login(client, hengda):
    for url in ["/desk/", f"/desk/discrepancies/{hengda['discrepancy'].pk}/", "/desk/links/", "/desk/mine/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_logs_in_and_lands_on_the_desk(client, editor):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "editor-one", "password": "correct-horse-9"})
    assert response.status_code == 302
    assert response["Location"] == "/desk/"


def test_queue_shows_open_discrepancies_severity_first_with_counts(editor_web):
    make_discrepancy(severity="low", explanation="low one")
    make_discrepancy(severity="high", explanation="high one")
    make_discrepancy(status="confirmed", explanation="decided one")
    page = editor_web.get("/desk/").content.decode()
    assert page.index("high one") < page.index("low one")
    assert "decided one" not in page
    assert 'data-status="confirmed"' in page
    counts = editor_web.get("/desk/").context["status_rows"]
    assert {value: n for value, _, n, _ in counts}["open"] == 2
    assert {value: n for value, _, n, _ in counts}["confirmed"] == 1


def test_queue_filters_by_site_metric_status_and_assignee(editor_web, editor):
    mine = make_discrepancy(assignee=editor, explanation="assigned to me")
    make_discrepancy(explanation="unassigned")
    page = editor_web.get("/desk/?assignee=editor-one").content.decode()
    assert "assigned to me" in page and "unassigned" not in page
    page = editor_web.get(f"/desk/?site={mine.site_id}&metric=headcount&status=").content.decode()
    assert "assigned to me" in page and "unassigned" not in page
    assert "unassigned" in editor_web.get("/desk/?status=").content.decode()


def test_queue_paginates(editor_web):
    for i in range(27):
        make_discrepancy(explanation=f"row {i}")
    first = editor_web.get("/desk/")
    assert len(first.context["page"].object_list) == 25
    second = editor_web.get("/desk/?page=2").content.decode()
    assert "row 0" in second and "row 26" not in second


def test_detail_shows_claim_source_evidence_and_flags(editor_web, hengda):
    page = editor_web.get(f"/desk/discrepancies/{hengda['discrepancy'].pk}/").content.decode()
    assert "will employ 2,500 people" in page
    assert "Provincial press release" in page
    assert "canteen worker" in page and "about 600-700 people work a shift here" in page
    photo = hengda["photo"]
    assert f"/api/v1/photos/{photo.pk}/file/?variant=thumbnail" in page
    assert f"/api/v1/photos/{photo.pk}/file/?variant=display" in page
    assert "Far from the site" in page and "distance: 31.2 km" in page
    assert "reporter-one" in page  # the reporter, for editors


def test_decision_from_the_page_is_recorded(editor_web, editor, hengda):
    pk = hengda["discrepancy"].pk
    response = editor_web.post(f"/desk/discrepancies/{pk}/review/", {"status": "confirmed", "note": "Matches photos"})
    assert response.status_code == 302
    discrepancy = Discrepancy.objects.get(pk=pk)
    assert (discrepancy.status, discrepancy.review_note, discrepancy.reviewer) == ("confirmed", "Matches photos", editor)
    page = editor_web.get(f"/desk/discrepancies/{pk}/").content.decode()
    assert 'data-action="discrepancy.review"' in page
    assert editor_web.post(f"/desk/discrepancies/{pk}/review/", {"status": "resolved"}).status_code == 302
    assert Discrepancy.objects.get(pk=pk).status == "confirmed"


def test_assign_comment_and_reject_from_the_page(editor_web, editor, hengda):
    pk, observation = hengda["discrepancy"].pk, hengda["observation"]
    editor_web.post(f"/desk/discrepancies/{pk}/assign/", {"assignee": "editor-one"})
    editor_web.post(f"/desk/discrepancies/{pk}/comment/", {"text": "Call the park office"})
    editor_web.post(f"/desk/observations/{observation.pk}/reject/",
                    {"rejected": "on", "next": f"/desk/discrepancies/{pk}/"})
    assert Discrepancy.objects.get(pk=pk).assignee == editor
    observation.refresh_from_db()
    assert observation.rejected
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"discrepancy.assign", "discrepancy.comment", "observation.reject"} <= actions


def test_reject_form_does_not_redirect_off_site(editor_web, hengda):
    response = editor_web.post(f"/desk/observations/{hengda['observation'].pk}/reject/",
                               {"rejected": "on", "next": "https://evil.example/"})
    assert response["Location"] == "/desk/"


def test_small_queues_and_their_actions(editor_web, reporter):
    site = SiteFactory(name="Proposed plot", verified=False, proposed_by=reporter)
    organization = OrganizationFactory(name="Hengda Group")
    proposal = LinkProposal.objects.create(site=site, candidate_organization=organization, score=90,
                                           site_name=site.name, candidate_name=organization.name)
    photo = make_photo(VisitFactory(site=site))

    assert "Proposed plot" in editor_web.get("/desk/sites/").content.decode()
    assert "Hengda Group" in editor_web.get("/desk/links/").content.decode()
    assert str(photo.pk) in editor_web.get("/desk/photos/").content.decode()

    editor_web.post(f"/desk/sites/{site.pk}/verify/")
    editor_web.post(f"/desk/links/{proposal.pk}/decide/", {"accept": "1"})
    editor_web.post(f"/desk/photos/{photo.pk}/approve/", {"approved": "1"})
    site.refresh_from_db()
    assert site.verified and site.organization == organization
    assert Photo.objects.get(pk=photo.pk).approved_at is not None
    assert list(editor_web.get("/desk/sites/").context["page"].object_list) == []
    assert editor_web.get("/desk/photos/").context["cards"] == []


def test_site_page_shows_claims_visits_photos_and_discrepancies(editor_web, hengda):
    page = editor_web.get(f"/desk/sites/{hengda['site'].pk}/").content.decode()
    assert "will employ 2,500 people" in page
    assert "about 600-700 people per a canteen worker" in page
    assert f"/api/v1/photos/{hengda['photo'].pk}/file/?variant=thumbnail" in page
    assert f"/desk/discrepancies/{hengda['discrepancy'].pk}/" in page


def test_reporter_cannot_open_the_queue_or_editor_pages(reporter_web, hengda):
    assert reporter_web.get("/desk/")["Location"] == "/app/"  # the reporter app
    for url in [f"/desk/discrepancies/{hengda['discrepancy'].pk}/", f"/desk/sites/{hengda['site'].pk}/",
                "/desk/links/", "/desk/sites/", "/desk/photos/", "/desk/audit/"]:
        assert reporter_web.get(url).status_code == 403, url
    response = reporter_web.post(f"/desk/discrepancies/{hengda['discrepancy'].pk}/review/", {"status": "dismissed"})
    assert response.status_code == 403
    assert Discrepancy.objects.get(pk=hengda["discrepancy"].pk).status == "open"


def test_reporter_cannot_fetch_another_reporters_evidence(reporter_web, other_reporter):
    photo = make_photo(VisitFactory(reporter=other_reporter))
    for variant in ("thumbnail", "display", "original"):
        assert reporter_web.get(f"/api/v1/photos/{photo.pk}/file/?variant={variant}").status_code == 404


def test_reporter_page_shows_followup_request_on_own_visit(reporter_web, editor, hengda, other_reporter):
    from surveys.services.review import discrepancy_review

    discrepancy_review(discrepancy=hengda["discrepancy"], reviewer=editor, status="needs_followup",
                       note="Go back at 8am and count the cars")
    elsewhere = ObservationFactory(visit=VisitFactory(reporter=other_reporter), source_role="guard",
                                   quote="colleague's quote")
    make_discrepancy(observations=[elsewhere], explanation="not yours")
    page = reporter_web.get("/desk/mine/").content.decode()
    assert "Go back at 8am and count the cars" in page
    assert "Hengda PV Glass, Phase 1" in page
    assert "not yours" not in page and "colleague&#x27;s quote" not in page


def test_exporter_lands_on_exports_and_cannot_use_the_review_pages(client, exporter, hengda):
    client.force_login(exporter)
    assert client.get("/desk/")["Location"] == "/desk/exports/"
    assert client.get("/desk/exports/").status_code == 200
    for url in ["/desk/mine/", f"/desk/discrepancies/{hengda['discrepancy'].pk}/", "/desk/audit/", "/desk/photos/"]:
        assert client.get(url).status_code == 403, url


def test_queue_and_detail_query_counts_do_not_grow(editor_web, django_assert_num_queries):
    many_discrepancies(2)
    # session, user, role, counts, sites, editors, page count, page rows
    with django_assert_num_queries(8):
        editor_web.get("/desk/")
    many_discrepancies(7)
    with django_assert_num_queries(8):
        assert len(editor_web.get("/desk/").context["page"].object_list) == 9
    pk = Discrepancy.objects.first().pk
    # session, user, role, discrepancy, observations, photos, supporting, new evidence, follow-ups,
    # queue place (3), decisions, history, editors, comments
    with django_assert_num_queries(16):
        editor_web.get(f"/desk/discrepancies/{pk}/")
    busy = Discrepancy.objects.first()
    for _ in range(4):
        visit = VisitFactory(site=busy.site, followup_of=busy)
        busy.observations.add(ObservationFactory(visit=visit))
        busy.supporting.add(ObservationFactory(visit=visit, low=2400, high=2400))
        busy.new_evidence.add(ObservationFactory(visit=visit, low=300, high=300))
        make_photo(visit)
    discrepancy_review(discrepancy=busy, reviewer=make_user("editor"), status="confirmed")
    busy.new_evidence.add(*Observation.objects.filter(visit__site=busy.site, low=300))
    # ... and each side's photos
    with django_assert_num_queries(18):
        response = editor_web.get(f"/desk/discrepancies/{busy.pk}/")
    assert response.context["supporting"] and response.context["new_evidence"]
    assert response.context["decision_rows"]


def test_reporter_page_query_count_does_not_grow(reporter_web, reporter, django_assert_num_queries):
    many_discrepancies(2, reporter=reporter)
    # session, user, role, discrepancies, their evidence (contradicting, consistent, new), photos, follow-ups
    with django_assert_num_queries(9):
        reporter_web.get("/desk/mine/")
    many_discrepancies(5, reporter=reporter)
    with django_assert_num_queries(9):
        reporter_web.get("/desk/mine/")


def test_proposed_sites_links_and_bulk_confirmation_query_counts_do_not_grow(editor_web, reporter,
                                                                              django_assert_num_queries):
    def proposals(n):
        for _ in range(n):
            site = SiteFactory(verified=False, proposed_by=reporter)
            VisitFactory(site=site, latitude=site.latitude, longitude=site.longitude)
            LinkProposal.objects.create(site=site, candidate_organization=OrganizationFactory(), score=80,
                                        site_name=site.name, candidate_name="x")

    proposals(2)
    # session, user, role, then: count, sites, their visits (with reporters) | count, proposals |
    # the form's ids, the chosen rows
    with django_assert_num_queries(6):
        editor_web.get("/desk/sites/")
    with django_assert_num_queries(5):
        editor_web.get("/desk/links/")
    rows = many_discrepancies(2)
    with django_assert_num_queries(5):
        editor_web.post("/desk/bulk/", {"action": "dismiss_duplicate", "ids": [d.pk for d in rows]})
    proposals(5)
    rows = many_discrepancies(5)
    with django_assert_num_queries(6):
        editor_web.get("/desk/sites/")
    with django_assert_num_queries(5):
        editor_web.get("/desk/links/")
    with django_assert_num_queries(5):
        editor_web.post("/desk/bulk/", {"action": "dismiss_duplicate", "ids": [d.pk for d in rows]})


def test_phones_try_a_sentence_and_bulk_pages_query_counts_do_not_grow(editor_web, editor, django_assert_num_queries):
    from surveys.services.devices import device_token_issue
    from surveys.vocab import Role
    from tests.factories import make_user

    def phones(n):
        for i in range(n):
            device_token_issue(reporter=make_user(Role.REPORTER), device=f"phone {i}", actor=editor)

    sentence = {"text": "The plant will employ 2,500 people and invest 8 billion yuan by 2027.", "date": "2025-03-10"}
    phones(2)
    # session, user, role, then: the form's reporters, the phones (with their reporters)
    with django_assert_num_queries(5):
        editor_web.get("/desk/odk/")
    # session, user, role; reading a sentence touches no table
    with django_assert_num_queries(3):
        editor_web.get("/desk/try/", sentence)
    # session, user, role, the chosen rows, the editors to assign to
    rows = many_discrepancies(2)
    with django_assert_num_queries(5):
        page = editor_web.post("/desk/bulk/", {"action": "assign", "assignee": "", "ids": [d.pk for d in rows]})
    assert page.status_code == 200 and page.context["rows"] is not None  # the confirmation, nothing changed yet
    phones(5)
    rows = many_discrepancies(5)
    with django_assert_num_queries(5):
        editor_web.get("/desk/odk/")
    with django_assert_num_queries(3):
        editor_web.get("/desk/try/", sentence)
    with django_assert_num_queries(5):
        editor_web.post("/desk/bulk/", {"action": "assign", "assignee": "", "ids": [d.pk for d in rows]})


def test_the_visits_full_notes_sit_next_to_the_claim_with_the_extracted_passage_marked(editor_web, hengda):
    from surveys.models import Observation

    notes = hengda["visit"].notes  # "about 600-700 people per a canteen worker"
    start = notes.index("600-700 people")
    Observation.objects.filter(pk=hengda["observation"].pk).update(extracted=True, span_start=start,
                                                                    span_end=start + len("600-700 people"))
    page = editor_web.get(f"/desk/discrepancies/{hengda['discrepancy'].pk}/").content.decode()
    evidence = page[page.index('id="evidence-summary"'):page.index('id="decision"')]  # the middle column
    assert "<mark>600-700 people</mark>" in evidence
    assert "about <mark>600-700 people</mark> per a canteen worker" in evidence


def test_proposed_sites_show_a_map_of_the_position_and_its_visits_not_raw_coordinates(editor_web, desk_world):
    page = editor_web.get("/desk/sites/").content.decode()
    assert page.count("<svg") >= 1 and 'class="point visit' in page
    assert "30.897" not in page and "118.759" not in page  # positions drawn, not printed
