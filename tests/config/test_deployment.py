"""docker-compose.yml and the production settings agree, without a Docker engine."""
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
FAKE_SECRETS = {"SECRET_KEY": "k3J9-vQz7wLp2Xr8TnYb5Hc6Mf1Ds4Ga0Ue7Wi9Oq2Zx5Cv8Bn3Mm6Ll1Kk4Jj7Hh", "POSTGRES_PASSWORD": "pg-secret", "MINIO_ROOT_USER": "minio",
                "MINIO_ROOT_PASSWORD": "minio-secret", "ALLOWED_HOSTS": "survey.example.org"}


def _interpolate(value: str) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, from FAKE_SECRETS."""
    def replace(match):
        name, default = match.group(1), match.group(3)
        return FAKE_SECRETS.get(name, default or "")
    return re.sub(r"\$\{(\w+)(:[-?]([^}]*))?\}", replace, str(value))


def app_environment(service: str) -> dict[str, str]:
    return {key: _interpolate(value) for key, value in SERVICES[service]["environment"].items()}


def settings_env_names() -> set[str]:
    source = (ROOT / "config/settings/__init__.py").read_text()
    return set(re.findall(r'env_\w+\("(\w+)"', source))


def test_compose_has_the_production_services():
    assert {"web", "worker", "beat", "postgres", "redis", "minio"} <= set(SERVICES)


def test_each_app_service_runs_the_right_command():
    assert SERVICES["web"]["command"].startswith("gunicorn config.wsgi:application")
    assert SERVICES["worker"]["command"].startswith("celery -A config worker")
    assert "--prefetch-multiplier 1" in SERVICES["worker"]["command"]
    assert SERVICES["beat"]["command"].startswith("celery -A config beat")


def test_app_environment_is_read_by_the_settings_and_points_at_the_services():
    known = settings_env_names() | {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    for service in APP_SERVICES:
        env = app_environment(service)
        assert set(env) <= known, set(env) - known
        assert env["DEBUG"] == "0" and env["STORAGE"] == "s3"
        database = urlparse(env["DATABASE_URL"])
        assert database.hostname == "postgres" and database.path == "/" + SERVICES["postgres"]["environment"]["POSTGRES_DB"]
        assert urlparse(env["CELERY_BROKER_URL"]).hostname == "redis"
        assert urlparse(env["AWS_S3_ENDPOINT_URL"]).hostname == "minio"
        depends = SERVICES[service]["depends_on"]
        assert {"postgres", "redis"} <= set(depends)


def _django(env: dict, code: str) -> subprocess.CompletedProcess:
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY", "STORAGE"))},
                **env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=120)


def test_compose_environment_gives_production_settings():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.STORAGES['default']['BACKEND'],"
        " s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.CELERY_BROKER_URL)"
    )
    result = _django(app_environment("web"), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "storages.backends.s3.S3Storage", "False",
                                     "False", "redis://redis:6379/0"]


def test_check_deploy_passes_with_production_settings():
    code = ("import sys, django; django.setup(); from django.core.management import call_command;"
            "call_command('check', '--deploy', '--fail-level', 'WARNING')")
    result = _django(app_environment("web"), code)
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_required_when_debug_is_off():
    env = {**app_environment("web"), "SECRET_KEY": ""}
    result = _django(env, "import django; django.setup()")
    assert result.returncode != 0 and "SECRET_KEY is required" in result.stderr


def test_embedded_default_needs_no_environment():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    code = ("import django; django.setup(); from django.conf import settings as s;"
            "print(s.DATABASES['default']['ENGINE'], s.STORAGES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3",
                                     "django.core.files.storage.FileSystemStorage", "True"]


def test_production_refuses_to_start_without_a_shared_cache():
    # Each web process would count failed logins on its own (login throttling, surveys/login_throttle.py).
    for cache_url in ("", "locmem://", "memcached://cache:11211"):
        env = {**app_environment("web"), "CACHE_URL": cache_url}
        result = _django(env, "import django; django.setup()")
        assert result.returncode != 0 and "CACHE_URL" in result.stderr, (cache_url, result.stderr[-300:])
    assert urlparse(app_environment("web")["CACHE_URL"]).hostname == "redis"
    result = _django({**app_environment("web"), "CACHE_URL": "", "DEBUG": "1"}, "import django; django.setup()")
    assert result.returncode == 0, result.stderr  # a laptop install keeps its local cache


NGINX_CONF = (ROOT / "deploy/nginx.conf").read_text()


def _directives(name: str) -> list[str]:
    """The values of an nginx directive wherever it appears (comments stripped)."""
    text = re.sub(r"#[^\n]*", "", NGINX_CONF)
    return [value.strip() for value in re.findall(rf"(?m)^\s*{name}\s+([^;{{}}]+);", text)]


def _size_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[unit.lower()]


def test_nginx_terminates_tls_in_front_of_gunicorn():
    nginx = SERVICES["nginx"]
    assert nginx["image"].startswith("nginx:")
    assert {"80:80", "443:443"} <= set(nginx["ports"])
    assert "web" in nginx["depends_on"]
    mounts = {_interpolate(volume).split(":")[1]: _interpolate(volume).split(":")[0] for volume in nginx["volumes"]}
    assert mounts["/etc/nginx/conf.d/default.conf"] == "./deploy/nginx.conf"
    assert mounts["/etc/nginx/certs"] == "./deploy/certs"  # TLS_CERT_DIR by default
    # gunicorn is reached only through nginx.
    assert "ports" not in SERVICES["web"] and "8000" in [str(port) for port in SERVICES["web"]["expose"]]
    assert any("ssl" in listen.split() and listen.split()[0].endswith("443") for listen in _directives("listen"))
    assert _directives("ssl_certificate") == ["/etc/nginx/certs/fullchain.pem"]
    assert _directives("ssl_certificate_key") == ["/etc/nginx/certs/privkey.pem"]
    assert "return 301 https://$host$request_uri" in NGINX_CONF
    assert _directives("server") == ["web:8000"]  # the upstream is the compose service
    assert set(_directives("proxy_pass")) == {"http://web"}


def test_nginx_buffers_request_bodies_and_tells_the_app_who_the_client_is():
    from django.conf import settings

    from api.uploads import MULTIPART_OVERHEAD

    assert _directives("proxy_request_buffering") == ["on"]
    assert "off" not in _directives("proxy_request_buffering")
    # Every upload the app accepts gets through; nothing much larger is read.
    largest = settings.PHOTO_MAX_BYTES + settings.ODK_XML_MAX_BYTES + MULTIPART_OVERHEAD
    (limit,) = _directives("client_max_body_size")
    assert largest <= _size_bytes(limit) <= largest + 4 * 1024 ** 2
    assert _directives("client_body_timeout") and _directives("client_header_timeout")
    headers = dict(value.split(None, 1) for value in _directives("proxy_set_header"))
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"  # SECURE_PROXY_SSL_HEADER
    assert headers["Host"] == "$host"
    # One proxy appends to X-Forwarded-For: the settings trust exactly one.
    for service in APP_SERVICES:
        assert app_environment(service)["TRUSTED_PROXY_COUNT"] == "1"


def test_only_the_streamed_exports_skip_response_buffering():
    text = re.sub(r"#[^\n]*", "", NGINX_CONF)
    unbuffered = re.findall(r"location\s+(\S+)\s*\{[^}]*proxy_buffering\s+off;", text)
    assert unbuffered == ["/api/v1/exports/"]


def test_web_takes_its_workers_from_gunicorn_conf():
    command = SERVICES["web"]["command"]
    assert "--workers" not in command and "--worker-class" not in command and "--threads" not in command
    conf = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), conf)
    assert conf["worker_class"] == "gthread" and conf["threads"] >= 4 and conf["workers"] >= 2
