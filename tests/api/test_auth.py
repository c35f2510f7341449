import datetime as dt

import pytest
import time_machine
from django.conf import settings

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from rest_framework.test import APIClient

from surveys.models import ApiToken, AuditEvent
from surveys.services.tokens import token_create
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def login(client, username="reporter-one", password="correct-horse-9", **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json")


def status_with(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/sites/").status_code


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


def test_deactivating_a_user_revokes_their_tokens_for_good(reporter):
    client = client_for(reporter)
    reporter.is_active = False
    reporter.save()
    assert client.get("/api/v1/sites/").status_code == 401
    make_user("reporter", "reporter-one")  # reactivates through the command path
    assert client.get("/api/v1/sites/").status_code == 401
    assert not ApiToken.objects.filter(user=reporter, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="tokens.revoke_all")
    assert event.changes == {"revoked": 1, "reason": "user deactivated"}


def test_a_second_login_with_the_same_device_name_revokes_the_first(anon_client, reporter):
    first = login(anon_client, device="Pixel 7").json()["token"]
    other_device = login(anon_client, device="tablet").json()["token"]
    second = login(anon_client, device="Pixel 7").json()["token"]
    assert status_with(first) == 401
    assert status_with(second) == 200 and status_with(other_device) == 200
    assert ApiToken.objects.filter(user=reporter, revoked_at__isnull=True).count() == 2


def test_one_live_token_per_device_is_a_database_rule(reporter):
    from django.db import IntegrityError, transaction

    token, _ = token_create(user=reporter, device="phone")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=reporter, device="phone", key_hash="0" * 64, prefix="x",
                                expires_at=token.expires_at)


def test_a_password_change_revokes_every_token_whatever_the_door(reporter, admin_user, client):
    keys = [token_create(user=reporter, device=name)[1] for name in ("phone", "tablet")]
    reporter.set_password("a-new-secret-1")
    reporter.save()
    assert [status_with(key) for key in keys] == [401, 401]

    key = token_create(user=reporter, device="phone")[1]
    call_command("createuser", "reporter-one", "--role", "reporter", "--password", "a-new-secret-1")
    assert status_with(key) == 200  # the same password again is no change
    call_command("createuser", "reporter-one", "--role", "reporter", "--password", "another-secret-2")
    assert status_with(key) == 401

    key = token_create(user=reporter, device="phone")[1]
    client.force_login(admin_user)
    response = client.post(f"/admin/auth/user/{reporter.pk}/password/",
                           {"password1": "third-secret-33", "password2": "third-secret-33"})
    assert response.status_code == 302, response.content
    assert status_with(key) == 401
    reasons = AuditEvent.objects.filter(action="tokens.revoke_all").values_list("changes__reason", flat=True)
    assert list(reasons) == ["password changed"] * 3


class FastPBKDF2(PBKDF2PasswordHasher):
    iterations = 2


def test_a_password_rehashed_on_login_keeps_the_tokens(anon_client, reporter, settings):
    key = token_create(user=reporter, device="phone")[1]
    settings.PASSWORD_HASHERS = ["tests.api.test_auth.FastPBKDF2", "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert login(anon_client, device="tablet").status_code == 201
    reporter.refresh_from_db()
    assert reporter.password.startswith("pbkdf2_sha256$2$")  # upgraded on login
    assert status_with(key) == 200


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
