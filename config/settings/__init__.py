"""Settings, every deployment knob read from the environment.

With nothing set this is the embedded default: SQLite, the local media/ folder and
Celery tasks run in-process after commit. Production sets DATABASE_URL,
CELERY_BROKER_URL and STORAGE=s3 (see README "Configuration").
"""
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import email_settings, env_bool, env_float, env_int, env_list, env_str, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DATABASE_URL = env_str("DATABASE_URL")
# The embedded default (no DATABASE_URL) is a laptop install: debug on unless told otherwise.
DEBUG = env_bool("DEBUG", not DATABASE_URL)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = local_secret_key(BASE_DIR / ".embedded-secret-key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "storages",
    "surveys",
    "api",
]

MIDDLEWARE = [
    "surveys.health.HealthCheckMiddleware",  # first: probes come by address over plain HTTP
    "api.odk.auth.KeyInPathMiddleware",  # before anything that logs: no path holding a device token is logged
    "django.middleware.security.SecurityMiddleware",
    "api.uploads.RequireContentLengthMiddleware",
    "api.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "surveys.middleware.ContentSecurityPolicyMiddleware",
    "surveys.login_throttle.LoginThrottledPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "surveys.web.context.desk",
            ],
            "libraries": {"desk": "surveys.web.templatetags"},
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers while the in-process tasks write.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling shared by every web process) -----------------
CACHE_URL = env_str("CACHE_URL")
if not DEBUG and not CACHE_URL.startswith(("redis://", "rediss://")):
    # Each process would count failed logins on its own: N workers, N times the attempts.
    raise ImproperlyConfigured("CACHE_URL (a shared Redis, e.g. redis://redis:6379/1) is required when DEBUG is off: "
                               "login throttling counts in it for every web process")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/desk/"
API_TOKEN_TTL = timedelta(days=env_int("API_TOKEN_TTL_DAYS", 90))
# Failed logins allowed per client address, and per username from any address (surveys/login_throttle.py).
LOGIN_THROTTLE_RATE = env_str("LOGIN_THROTTLE_RATE", "10/min")
LOGIN_USERNAME_THROTTLE_RATE = env_str("LOGIN_USERNAME_THROTTLE_RATE", "20/hour")
# Reverse proxies in front of the web processes that append to X-Forwarded-For (nginx in
# docker-compose: 1). 0 ignores the header: the client is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# ModelBackend that refuses a throttled attempt before any password is checked.
AUTHENTICATION_BACKENDS = ["surveys.login_throttle.ThrottledModelBackend"]

# --- I18n -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# No MEDIA_URL route is ever served: files leave through permission-checked views.
MEDIA_URL = "/media-not-served/"

STORAGE_BACKEND = env_str("STORAGE", "filesystem")
if STORAGE_BACKEND == "s3":
    _s3_options = {
        "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
        "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "path"),
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 60),
        "file_overwrite": False,
    }
    _media_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
elif STORAGE_BACKEND == "filesystem":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE must be 'filesystem' or 's3', got {STORAGE_BACKEND!r}")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Uploads --------------------------------------------------------------
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 25 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 80_000_000)
# Memory one image may take once decoded (pixels decoded x bytes per pixel of its mode),
# checked from the header before decoding: 256 MiB holds a 48 MP HEIC or a 64 MP RGB PNG.
PHOTO_MAX_DECODED_BYTES = env_int("PHOTO_MAX_DECODED_BYTES", 256 * 1024 * 1024)
# A request body's reads under gunicorn (config/body_timeout.py): each waits at most this long
# for data, the whole body at most REQUEST_BODY_TIMEOUT_SECONDS (a 25 MB photo at 0.3 Mbit/s).
REQUEST_BODY_READ_TIMEOUT_SECONDS = env_float("REQUEST_BODY_READ_TIMEOUT_SECONDS", 30.0)
REQUEST_BODY_TIMEOUT_SECONDS = env_float("REQUEST_BODY_TIMEOUT_SECONDS", 900.0)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
# ODK: the largest submission XML taken, and how long a pyodk session (POST /v1/sessions) lasts.
ODK_XML_MAX_BYTES = env_int("ODK_XML_MAX_BYTES", 1024 * 1024)
ODK_SESSION_TTL = timedelta(hours=env_int("ODK_SESSION_TTL_HOURS", 24))

# --- Photo pipeline -------------------------------------------------------
PHOTO_BLUR_FACES = env_bool("PHOTO_BLUR_FACES", True)
PHOTO_DISTANCE_TOLERANCE_M = env_float("PHOTO_DISTANCE_TOLERANCE_M", 500.0)
PHOTO_TIME_TOLERANCE = timedelta(minutes=env_int("PHOTO_TIME_TOLERANCE_MINUTES", 120))
PHOTO_LEASE_SECONDS = env_int("PHOTO_LEASE_SECONDS", 300)
# Test-only: the pipeline sleeps this long after storing derivatives, so a test can kill it there.
PHOTO_TEST_DELAY_SECONDS = env_float("PHOTO_TEST_DELAY_SECONDS", 0.0)

# --- Matching -------------------------------------------------------------
MATCH_RATIO_LOW = env_float("MATCH_RATIO_LOW", 0.67)
MATCH_RATIO_HIGH = env_float("MATCH_RATIO_HIGH", 1.5)

# --- Retries --------------------------------------------------------------
IDEMPOTENCY_TTL = timedelta(hours=env_int("IDEMPOTENCY_TTL_HOURS", 48))

# --- Exports --------------------------------------------------------------
NEWSROOM_NAME = env_str("NEWSROOM_NAME", "Field Desk")
NEWSROOM_URL = env_str("NEWSROOM_URL", "")
EXPORT_JOB_TTL = timedelta(hours=env_int("EXPORT_JOB_TTL_HOURS", 72))
# Hard time limit of an export job's task, and the lease after which another run may take it over.
EXPORT_JOB_TIME_LIMIT = env_int("EXPORT_JOB_TIME_LIMIT", 3600)
PSEUDONYM_SALT = env_str("PSEUDONYM_SALT", SECRET_KEY)

# --- Review desk ----------------------------------------------------------
# Times of things with no site (audit events, export jobs) are shown in this zone.
DESK_TIME_ZONE = env_str("DESK_TIME_ZONE", "Asia/Shanghai")
# How long after a decision `u` undoes it.
DESK_UNDO_SECONDS = env_int("DESK_UNDO_SECONDS", 10)
# Map tiles behind the site maps, e.g. "https://tiles.example.org/{z}/{x}/{y}.png"; none by default:
# the maps are drawn from the data alone and nothing is fetched from the internet.
DESK_MAP_TILE_URL = env_str("DESK_MAP_TILE_URL", "")
DESK_MAP_TILE_ATTRIBUTION = env_str("DESK_MAP_TILE_ATTRIBUTION", "")
# Where a reporter lands after logging in: a URL name or a path. The reporter app at /app/; the desk's
# own follow-up page (`desk-mine`, /desk/mine/) stays reachable from the reporter's header.
REPORTER_HOME = env_str("REPORTER_HOME", "/app/")
# The reporter app's service worker cache is named after its assets' digest plus this label: set it
# (a release number, a commit) to make every installed app fetch its shell again on the next visit.
REPORTER_APP_RELEASE = env_str("REPORTER_APP_RELEASE", "")

# --- Email and notifications (docs/notifications.md) ----------------------
# Embedded default: mail is printed on the console. Production: EMAIL_URL
# (smtp://user:password@host:587, smtp+tls://..., smtp+ssl://...) or EMAIL_HOST and friends.
_email = email_settings()
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"]
if "EMAIL_FILE_PATH" in _email:
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Field Desk <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Links in notification mails start with this (e.g. "https://desk.example.org"); none: paths only.
NOTIFICATIONS_BASE_URL = env_str("NOTIFICATIONS_BASE_URL", "").rstrip("/")
# The daily digest of high-severity discrepancies goes out at this hour (DESK_TIME_ZONE).
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 8)
# Outbox deliveries (mail and webhooks): the sweep picks up what is due this often; a failed
# delivery waits BASE x 2^(attempt-1) seconds (at most MAX) and gives up after MAX_ATTEMPTS.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 15)
OUTBOX_RETRY_BASE_SECONDS = env_float("OUTBOX_RETRY_BASE_SECONDS", 30.0)
OUTBOX_RETRY_MAX_SECONDS = env_float("OUTBOX_RETRY_MAX_SECONDS", 6 * 3600.0)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
# A delivery claimed this long ago by a worker that never finished (killed) is tried again.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 10.0)
# Events (with their deliveries and the delivery log) are kept this long once nothing is left to send.
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 30)
# Test-only: the outbox waits this long after the event's commit before queuing its delivery,
# so a test can kill the worker there.
OUTBOX_TEST_DELAY_SECONDS = env_float("OUTBOX_TEST_DELAY_SECONDS", 0.0)

# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
# Embedded default: no broker, tasks run in-process (after commit, see surveys/tasks.py).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task unacknowledged this long (worker killed) is redelivered (Redis) ...
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # ... by a sweep every this many seconds (kombu's default scans only every 10th sweep).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_SECONDS", 10),
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Messages the broker refused after commit (an outage) are kept and resent this often.
TASK_RESEND_SECONDS = env_int("TASK_RESEND_SECONDS", 15)
# Last resort for messages lost otherwise (a process killed between commit and send, a
# broker that lost its data): work still pending this long is queued again. Duplicates
# are harmless but not free, so these stay above a normal queue's wait.
VISIT_REQUEUE_AFTER = timedelta(seconds=env_int("VISIT_REQUEUE_AFTER_SECONDS", 120))
PHOTO_REQUEUE_AFTER = timedelta(seconds=env_int("PHOTO_REQUEUE_AFTER_SECONDS", 300))
STALE_SWEEP_SECONDS = env_int("STALE_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "resend-unsent-tasks": {"task": "surveys.tasks.resend_unsent_tasks", "schedule": float(TASK_RESEND_SECONDS)},
    "requeue-stale-photos": {"task": "surveys.tasks.requeue_stale_photos", "schedule": float(STALE_SWEEP_SECONDS)},
    "requeue-pending-visits": {"task": "surveys.tasks.requeue_pending_visits",
                               "schedule": float(STALE_SWEEP_SECONDS)},
    "purge-idempotency-keys": {"task": "surveys.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "expire-export-jobs": {"task": "surveys.tasks.expire_export_jobs", "schedule": 600.0},
    "requeue-stale-export-jobs": {"task": "surveys.tasks.requeue_stale_export_jobs", "schedule": 300.0},
    "deliver-outbox": {"task": "surveys.tasks.deliver_outbox_due", "schedule": float(OUTBOX_SWEEP_SECONDS)},
    "purge-outbox": {"task": "surveys.tasks.purge_outbox", "schedule": 86400.0},
}

# --- DRF ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LimitPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],  # FilterSets: surveys/filters.py
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
API_MAX_PAGE_SIZE = 200

SPECTACULAR_SETTINGS = {
    "TITLE": "Field survey API",
    "DESCRIPTION": "Site visits, observations, photos, claims and discrepancies. See README.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "ENUM_NAME_OVERRIDES": {
        "SurveyStatusEnum": "surveys.vocab.STATUS_CHOICES",
        "MetricEnum": "surveys.models.base.METRIC_CHOICES",  # labels from the engine's metric table
        "QualifierEnum": "surveys.vocab.QUALIFIER_CHOICES",
        "DiscrepancyKindEnum": "surveys.vocab.DISCREPANCY_KIND_CHOICES",
        "DiscrepancyStatusEnum": "surveys.vocab.REVIEW_STATUS_CHOICES",
        "NotificationOffOrImmediateEnum": "surveys.models.outbox.NotificationPreference.OFF_OR_IMMEDIATE",
    },
}

# --- Production hardening (check --deploy) --------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Sent with every response (surveys/middleware.py): scripts and styles only from our static files.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if DESK_MAP_TILE_URL:  # the desk's maps load their tiles from there
    from urllib.parse import urlsplit

    _tiles = urlsplit(DESK_MAP_TILE_URL.replace("{", "").replace("}", ""))
    CONTENT_SECURITY_POLICY["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
