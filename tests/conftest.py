import uuid

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from surveys.services.tokens import token_create
from surveys.vocab import Role
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Real password hashing costs ~0.2 s per user; tests do not test PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # login throttle counters live there
    yield
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        # A device of its own: a second token for one device name would revoke the first.
        _, key = token_create(user=user, device=f"pytest-{uuid.uuid4().hex[:8]}")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def reporter(db):
    return make_user(Role.REPORTER, "reporter-one")


@pytest.fixture
def other_reporter(db):
    return make_user(Role.REPORTER, "reporter-two")


@pytest.fixture
def editor(db):
    return make_user(Role.EDITOR, "editor-one")


@pytest.fixture
def exporter(db):
    return make_user(Role.EXPORTER, "exporter-one")


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMIN, "admin-one")


@pytest.fixture
def reporter_client(reporter):
    return client_for(reporter)


@pytest.fixture
def other_reporter_client(other_reporter):
    return client_for(other_reporter)


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


@pytest.fixture
def exporter_client(exporter):
    return client_for(exporter)


@pytest.fixture
def admin_client_api(admin_user):
    return client_for(admin_user)


@pytest.fixture
def anon_client():
    return APIClient()
