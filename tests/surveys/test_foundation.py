import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from surveys.models import Claim, Discrepancy, Observation, Site, Visit
from surveys.roles import role_of
from tests.factories import ClaimFactory, ObservationFactory, VisitFactory, make_user

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_healthz_answers_probes_by_address_over_http_under_production_settings(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["survey.example.org"]
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert client.get("/desk/", HTTP_HOST="survey.example.org").status_code == 301  # the rest still redirects
    assert client.get("/desk/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # and checks the host


@pytest.mark.django_db(transaction=True)
def test_load_demo_is_idempotent_and_yields_the_product_example():
    call_command("load_demo")
    counts = (Site.objects.count(), Claim.objects.count(), Visit.objects.count(), Observation.objects.count())
    call_command("load_demo")
    assert (Site.objects.count(), Claim.objects.count(), Visit.objects.count(), Observation.objects.count()) == counts
    assert counts[:3] == (3, 5, 3)
    assert set(Visit.objects.values_list("processing", flat=True)) == {"done"}
    assert set(Discrepancy.objects.values_list("metric", flat=True)) == {"enterprises", "headcount", "status"}


@pytest.mark.parametrize("role", ["reporter", "editor", "exporter", "admin"])
def test_each_role_is_a_group(role):
    user = make_user(role)
    assert role_of(user) == role
    assert user.is_staff == (role in ("editor", "admin"))


def test_admin_role_may_manage_users_and_editors_may_not():
    assert make_user("admin").has_perm("auth.change_user")
    editor = make_user("editor")
    assert editor.has_perm("surveys.change_discrepancy") and not editor.has_perm("auth.change_user")
    assert not make_user("reporter").has_perm("surveys.change_claim")


def test_database_refuses_a_low_above_high():
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationFactory(low=10, high=5)


def test_database_refuses_an_unknown_metric_and_a_second_discrepancy_per_claim_and_site():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(metric="happiness")
    claim = ClaimFactory()
    Discrepancy.objects.create(claim=claim, site=claim.site, metric="headcount", kind="numeric", severity="high",
                               explanation="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Discrepancy.objects.create(claim=claim, site=claim.site, metric="headcount", kind="numeric",
                                   severity="low", explanation="y")


def test_database_refuses_an_activity_level_above_four():
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(activity_level=5)


@pytest.mark.parametrize("path", ["/admin/surveys/site/", "/admin/surveys/visit/", "/admin/surveys/claim/",
                                  "/admin/surveys/discrepancy/", "/admin/surveys/observation/",
                                  "/admin/surveys/photo/", "/admin/surveys/auditevent/",
                                  "/admin/surveys/organization/", "/admin/surveys/linkproposal/"])
def test_admin_pages_work_for_an_editor(client, path):
    call_command("load_demo")
    client.force_login(make_user("editor"))
    response = client.get(path + "?q=恒达")
    assert response.status_code == 200


def test_reporters_have_no_admin(client):
    client.force_login(make_user("reporter"))
    assert client.get("/admin/surveys/site/").status_code == 302


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["detail"]
