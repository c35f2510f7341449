"""Mail settings from the environment: the console by default, SMTP from EMAIL_URL or EMAIL_HOST."""
import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import email_settings

BACKEND = "django.core.mail.backends.%s.EmailBackend"


@pytest.fixture
def environ(monkeypatch):
    for name in ("EMAIL_URL", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
                 "EMAIL_USE_SSL", "EMAIL_BACKEND", "EMAIL_FILE_PATH", "EMAIL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_embedded_default_prints_mail_on_the_console(environ):
    assert email_settings()["EMAIL_BACKEND"] == BACKEND % "console"


def test_an_email_url_with_starttls(environ):
    environ.setenv("EMAIL_URL", "smtp+tls://desk%40example.org:p%40ss%2Fword@smtp.example.org:2587")
    values = email_settings()
    assert values == {"EMAIL_BACKEND": BACKEND % "smtp", "EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": 2587,
                      "EMAIL_HOST_USER": "desk@example.org", "EMAIL_HOST_PASSWORD": "p@ss/word",
                      "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 20}


def test_default_ports_per_scheme(environ):
    for url, port, ssl in (("smtp://mail", 25, False), ("smtp+tls://mail", 587, False), ("smtp+ssl://mail", 465, True)):
        environ.setenv("EMAIL_URL", url)
        values = email_settings()
        assert (values["EMAIL_PORT"], values["EMAIL_USE_SSL"]) == (port, ssl)


def test_email_host_and_friends(environ):
    environ.setenv("EMAIL_HOST", "smtp.example.org")
    environ.setenv("EMAIL_PORT", "587")
    environ.setenv("EMAIL_HOST_USER", "desk")
    environ.setenv("EMAIL_HOST_PASSWORD", "secret")
    environ.setenv("EMAIL_USE_TLS", "true")
    values = email_settings()
    assert (values["EMAIL_BACKEND"], values["EMAIL_HOST"], values["EMAIL_PORT"], values["EMAIL_USE_TLS"]) == (
        BACKEND % "smtp", "smtp.example.org", 587, True)


def test_bad_mail_settings_stop_the_start(environ):
    environ.setenv("EMAIL_URL", "http://mail.example.org")
    with pytest.raises(ImproperlyConfigured):
        email_settings()
    environ.delenv("EMAIL_URL")
    environ.setenv("EMAIL_HOST", "mail")
    environ.setenv("EMAIL_USE_TLS", "1")
    environ.setenv("EMAIL_USE_SSL", "1")
    with pytest.raises(ImproperlyConfigured):
        email_settings()


def test_an_explicit_backend_wins(environ):
    environ.setenv("EMAIL_URL", "smtp://mail")
    environ.setenv("EMAIL_BACKEND", BACKEND % "filebased")
    environ.setenv("EMAIL_FILE_PATH", "/tmp/mail")
    values = email_settings()
    assert (values["EMAIL_BACKEND"], values["EMAIL_FILE_PATH"]) == (BACKEND % "filebased", "/tmp/mail")
