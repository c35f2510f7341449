"""Typed readers for settings taken from the environment."""
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret_key(path) -> str:
    """A random key kept in a git-ignored file: for the embedded, debug-only install."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        import secrets

        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


_EMAIL_SCHEMES = {
    "smtp": (False, False), "smtp+tls": (True, False), "submission": (True, False), "smtp+ssl": (False, True),
}


def email_settings() -> dict:
    """Django's EMAIL_* settings from EMAIL_URL, or EMAIL_HOST and friends; neither: the console.

    EMAIL_URL is `smtp://user:password@host:port` (`smtp+tls://` for STARTTLS, `smtp+ssl://` for
    implicit TLS; user and password percent-encoded), `console://` or `dummy://`. EMAIL_BACKEND,
    when set, wins (e.g. the file backend with EMAIL_FILE_PATH).
    """
    from urllib.parse import unquote, urlsplit

    backend = "django.core.mail.backends.%s.EmailBackend"
    values = {"EMAIL_TIMEOUT": env_int("EMAIL_TIMEOUT", 20)}
    url = env_str("EMAIL_URL")
    host = env_str("EMAIL_HOST")
    if url:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("console", "dummy"):
            values["EMAIL_BACKEND"] = backend % ("console" if scheme == "console" else "dummy")
        elif scheme in _EMAIL_SCHEMES:
            tls, ssl = _EMAIL_SCHEMES[scheme]
            values.update(EMAIL_BACKEND=backend % "smtp", EMAIL_HOST=parts.hostname or "localhost",
                          EMAIL_PORT=parts.port or (465 if ssl else 587 if tls else 25),
                          EMAIL_HOST_USER=unquote(parts.username or ""),
                          EMAIL_HOST_PASSWORD=unquote(parts.password or ""), EMAIL_USE_TLS=tls, EMAIL_USE_SSL=ssl)
        else:
            raise ImproperlyConfigured(f"EMAIL_URL must be smtp://, smtp+tls://, smtp+ssl:// or console://, "
                                       f"got {scheme!r}")
    elif host:
        values.update(EMAIL_BACKEND=backend % "smtp", EMAIL_HOST=host, EMAIL_PORT=env_int("EMAIL_PORT", 25),
                      EMAIL_HOST_USER=env_str("EMAIL_HOST_USER"), EMAIL_HOST_PASSWORD=env_str("EMAIL_HOST_PASSWORD"),
                      EMAIL_USE_TLS=env_bool("EMAIL_USE_TLS", False), EMAIL_USE_SSL=env_bool("EMAIL_USE_SSL", False))
    else:
        values["EMAIL_BACKEND"] = backend % "console"
    if values.get("EMAIL_USE_TLS") and values.get("EMAIL_USE_SSL"):
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive")
    if env_str("EMAIL_BACKEND"):
        values["EMAIL_BACKEND"] = env_str("EMAIL_BACKEND")
    if env_str("EMAIL_FILE_PATH"):
        values["EMAIL_FILE_PATH"] = env_str("EMAIL_FILE_PATH")
    return values
