"""Failed logins are throttled by client address and by username on every login path.

The paths: the API token, the desk's /accounts/login/, /admin/login/, ODK's POST
/v1/sessions and HTTP Basic on the OpenRosa and Central endpoints. A forged
X-Forwarded-For never buys a new address; a username is held back whatever the
address; only failures count, so phones sending Basic with every request are not.
"""
import base64
import itertools
import re

import pytest
import time_machine
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from surveys.login_throttle import client_address, parse_rate
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-9"
_addresses = (f"203.0.113.{n}" for n in itertools.count(1))


@pytest.fixture(autouse=True)
def rates(settings):
    settings.LOGIN_THROTTLE_RATE = "10/min"
    settings.LOGIN_USERNAME_THROTTLE_RATE = "20/hour"
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def user(db):
    return make_user("reporter", "li-wei")


def api_login(username="li-wei", password="wrong", **headers):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json",
                            **headers)


def retry_after(response) -> int:
    assert response.status_code == 429, response.content[:300]
    value = int(response["Retry-After"])
    assert 1 <= value <= 3600
    return value


def test_forged_forwarded_for_does_not_buy_new_guesses(user):
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=False):  # 60 guesses inside one window, however slow
        statuses = [api_login(password=f"guess-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
                    for n in range(60)]
        response = api_login(password=PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429] * 50
    retry_after(response)
    assert set(response.json()) >= {"detail"}  # the contract's error shape


def test_behind_a_trusted_proxy_the_proxys_view_of_the_client_counts(settings, user):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; what the client wrote stays on the left.
    statuses = [api_login(password=f"guess-{n}", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7").status_code
                for n in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    # Another client behind the same proxy is not held back by the first one's failures.
    assert api_login(password=PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 201


def test_client_address_takes_the_nth_address_from_the_right(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "172.18.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 5  # fewer entries than proxies: the header proves nothing
    assert client_address(request) == "172.18.0.5"


def test_a_username_is_held_back_across_addresses(user):
    statuses = [api_login(password=f"guess-{n}", REMOTE_ADDR=next(_addresses)).status_code for n in range(25)]
    assert statuses[:20] == [401] * 20 and statuses[20:] == [429] * 5
    # Even the right password, from an address never seen, waits for the window.
    retry_after(api_login(password=PASSWORD, REMOTE_ADDR=next(_addresses)))
    # Another user is not affected from those addresses.
    make_user("reporter", "zhang-min")
    assert api_login(username="zhang-min", password=PASSWORD, REMOTE_ADDR="203.0.113.1").status_code == 201


def test_usernames_are_counted_without_case():
    statuses = [api_login(username=name, REMOTE_ADDR=next(_addresses)).status_code
                for name in ["Li-Wei", "LI-WEI", "li-wei "] * 7]
    assert statuses[-1] == 429


def test_the_window_passes(user):
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=False) as clock:
        for n in range(10):
            api_login(password=f"guess-{n}")
        wait = retry_after(api_login(password=PASSWORD))
        assert wait == 60
        clock.shift(61)
        assert api_login(password=PASSWORD).status_code == 201


def test_successes_do_not_count(user):
    assert all(api_login(password=PASSWORD).status_code == 201 for _ in range(15))


def _csrf_post(client: Client, path: str, data: dict, **headers):
    page = client.get(path)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    return client.post(path, {**data, "csrfmiddlewaretoken": token}, **headers)


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_desk_and_admin_logins_are_throttled_with_a_readable_page(path):
    make_user("editor", "chen-jing")
    client = Client(enforce_csrf_checks=True)
    statuses = [_csrf_post(client, path, {"username": "chen-jing", "password": f"guess-{n}"},
                           HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(12)]
    assert statuses[:10] == [200] * 10  # the form again, with its error
    assert statuses[10:] == [429, 429]
    response = _csrf_post(client, path, {"username": "chen-jing", "password": PASSWORD})
    retry_after(response)
    assert response["Content-Type"].startswith("text/html")
    assert b"Too many failed logins" in response.content and b"minute" in response.content


def test_the_throttled_page_speaks_chinese():
    make_user("editor", "chen-jing")
    client = Client()
    for n in range(11):
        response = _csrf_post(client, "/accounts/login/", {"username": "chen-jing", "password": f"guess-{n}"},
                              HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_desk_login_still_works_below_the_limit():
    make_user("editor", "chen-jing")
    client = Client()
    for n in range(3):
        _csrf_post(client, "/accounts/login/", {"username": "chen-jing", "password": f"guess-{n}"})
    response = _csrf_post(client, "/accounts/login/", {"username": "chen-jing", "password": PASSWORD})
    assert response.status_code == 302


def _basic(username, password) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_odk_basic_auth_is_throttled_with_openrosa_xml(user):
    client = Client()
    statuses = [client.get("/v1/projects/1/formList", HTTP_X_OPENROSA_VERSION="1.0",
                           **_basic("li-wei", f"guess-{n}")).status_code for n in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    response = client.get("/v1/projects/1/formList", HTTP_X_OPENROSA_VERSION="1.0", **_basic("li-wei", PASSWORD))
    retry_after(response)
    assert response["Content-Type"].startswith("text/xml") and b"<OpenRosaResponse" in response.content
    assert response["X-OpenRosa-Version"] == "1.0"


def test_odk_basic_with_the_right_password_is_never_counted(user):
    client = Client()
    for _ in range(25):
        assert client.get("/v1/projects/1/formList", HTTP_X_OPENROSA_VERSION="1.0",
                          **_basic("li-wei", PASSWORD)).status_code == 200


def test_odk_sessions_are_throttled_in_centrals_shape(user):
    client = Client()
    statuses = [client.post("/v1/sessions", {"email": "li-wei", "password": f"guess-{n}"},
                            content_type="application/json").status_code for n in range(11)]
    assert statuses[:10] == [401] * 10
    response = client.post("/v1/sessions", {"email": "li-wei", "password": PASSWORD}, content_type="application/json")
    retry_after(response)
    assert response.json()["code"] == 429.1 and "detail" in response.json()


def test_central_basic_auth_is_throttled(user):
    client = Client()
    for n in range(10):
        client.get("/v1/users/current", **_basic("li-wei", f"guess-{n}"))
    response = client.get("/v1/users/current", **_basic("li-wei", PASSWORD))
    retry_after(response)
    assert response.json()["code"] == 429.1


def test_one_address_counts_across_login_paths(user):
    for n in range(5):
        api_login(password=f"guess-{n}")
    client = Client()
    for n in range(5):
        client.get("/v1/projects/1/formList", HTTP_X_OPENROSA_VERSION="1.0", **_basic("someone-else", f"g{n}"))
    assert api_login(username="someone-else", password="x").status_code == 429


def test_rates_parse():
    assert parse_rate("10/min") == (10, 60)
    assert parse_rate("20/hour") == (20, 3600)
    assert parse_rate("5/15m") == (5, 900)
    with pytest.raises(ValueError):
        parse_rate("ten per minute")
