import datetime as dt

import pytest
import time_machine
from django.conf import settings

from surveys.models import ApiToken
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def login(client, username="reporter-one", password="correct-horse-9", **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json")


def test_login_returns_a_token_shown_once_and_stored_hashed(anon_client, reporter):
    response = login(anon_client, device="Pixel 7")
    assert response.status_code == 201
    data = response.json()
    assert set(data) >= {"token", "expires_at"}
    token = ApiToken.objects.get(user=reporter)
    assert token.device == "Pixel 7"
    assert data["token"] not in (token.key_hash, token.prefix)
    assert len(token.key_hash) == 64
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {data['token']}")
    assert anon_client.get("/api/v1/sites/").status_code == 200


def test_wrong_credentials_are_401_with_the_error_shape(anon_client, reporter):
    response = login(anon_client, password="wrong")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_each_device_gets_its_own_token(anon_client, reporter):
    first = login(anon_client, device="phone").json()["token"]
    second = login(anon_client, device="tablet").json()["token"]
    assert first != second and ApiToken.objects.filter(user=reporter).count() == 2


def test_delete_revokes_only_the_token_used(anon_client, reporter):
    from rest_framework.test import APIClient

    phone, tablet = APIClient(), APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {login(anon_client, device='phone').json()['token']}")
    tablet.credentials(HTTP_AUTHORIZATION=f"Token {login(anon_client, device='tablet').json()['token']}")
    assert phone.delete("/api/v1/auth/token/").status_code == 204
    assert phone.get("/api/v1/sites/").status_code == 401
    assert tablet.get("/api/v1/sites/").status_code == 200


def test_tokens_expire(reporter):
    client = client_for(reporter)
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + settings.API_TOKEN_TTL + dt.timedelta(minutes=1)):
        assert client.get("/api/v1/sites/").status_code == 401


def test_admin_revokes_every_token_of_a_lost_phone(admin_client_api, reporter, editor_client):
    lost = client_for(reporter)
    assert editor_client.post(f"/api/v1/users/{reporter.username}/revoke-tokens/").status_code == 403
    response = admin_client_api.post(f"/api/v1/users/{reporter.username}/revoke-tokens/")
    assert response.status_code == 200 and response.json()["revoked"] == 1
    assert lost.get("/api/v1/sites/").status_code == 401


def test_login_is_throttled(anon_client, reporter):
    statuses = [login(anon_client, password="wrong").status_code for _ in range(12)]
    assert statuses[0] == 401 and statuses[-1] == 429


def test_unknown_token_and_malformed_header_are_401(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert anon_client.get("/api/v1/visits/").status_code == 401
    anon_client.credentials(HTTP_AUTHORIZATION="Token a b")
    assert anon_client.get("/api/v1/visits/").status_code == 401


def test_createuser_command_is_idempotent(capsys):
    from django.core.management import call_command

    call_command("createuser", "lin", "--role", "editor", "--password", "pw-123456789")
    call_command("createuser", "lin", "--role", "reporter", "--password", "pw-987654321")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="lin")
    assert list(user.groups.values_list("name", flat=True)) == ["reporter"]
    assert user.check_password("pw-987654321") and not user.is_staff


def test_session_login_works_for_the_api(client, editor):
    client.force_login(editor)
    assert client.get("/api/v1/discrepancies/").status_code == 200


def test_user_without_a_role_cannot_get_a_token(anon_client):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("norole", password="correct-horse-9")
    assert login(anon_client, username="norole").status_code == 401


def test_a_token_for_a_deactivated_user_stops_working(reporter):
    client = client_for(reporter)
    reporter.is_active = False
    reporter.save()
    assert client.get("/api/v1/sites/").status_code == 401
    make_user("reporter", "reporter-one")  # reactivates through the command path
    assert client.get("/api/v1/sites/").status_code == 200


def test_token_lookup_brings_user_and_role_in_one_query(reporter, editor):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.roles import role_of
    from surveys.services.tokens import token_create, token_lookup

    reporter.groups.add(Group.objects.get(name="editor"))  # the most powerful role wins
    _, key = token_create(user=reporter)
    with CaptureQueriesContext(connection) as queries:
        token = token_lookup(key)
        assert role_of(token.user) == "editor"
    assert len(queries) == 1
    assert token.user == reporter and token.user.username == "reporter-one" and token.user.is_active
    # Values come back converted as the ORM converts them (SQLite stores naive text).
    assert token.expires_at.tzinfo is not None and token.user.date_joined.tzinfo is not None
    assert token.expires_at == ApiToken.objects.get(pk=token.pk).expires_at


def test_token_lookup_role_for_superusers_and_users_without_a_group(admin_user):
    from django.contrib.auth import get_user_model

    from surveys.roles import role_of
    from surveys.services.tokens import token_create, token_lookup

    nobody = get_user_model().objects.create_user("nobody", password="correct-horse-9")
    assert role_of(token_lookup(token_create(user=nobody)[1]).user) is None
    root = get_user_model().objects.create_superuser("root", password="correct-horse-9")
    assert role_of(token_lookup(token_create(user=root)[1]).user) == "admin"
