"""The ODK lists read in a fixed number of queries, however many submissions there are."""
import pytest
from django.test import Client

from surveys.services.tokens import token_create
from tests.odk.conftest import OPENROSA, visit_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [1, 5])
def test_submission_list_and_odata_tables(submit, site, reporter, count, django_assert_num_queries):
    for _ in range(count):
        assert submit(visit_form(site, photos=[("gate.jpg", "")])).status_code == 201
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=reporter, device='desk')[1]}")
    api.get("/v1/users/current")  # the token's first use is noted once
    with django_assert_num_queries(2):  # the token with its user and role, the submissions
        assert len(api.get("/v1/projects/1/forms/site_visit/submissions").json()) == count
    with django_assert_num_queries(6):  # token, count, submissions, observations, photos, attachments
        rows = api.get("/v1/projects/1/forms/site_visit.svc/Submissions", {"$expand": "*", "$count": "true"})
    assert len(rows.json()["value"]) == count


def test_form_list_reads_the_site_table_once_when_it_has_not_changed(client, reporter_key, site,
                                                                       django_assert_num_queries):
    url = f"/v1/key/{reporter_key}/projects/1/formList"
    assert client.get(url, **OPENROSA).status_code == 200
    with django_assert_num_queries(3):  # the token, the sites' state, the served version
        assert client.get(url, **OPENROSA).status_code == 200
