# Read by every gunicorn started from the project's root (docker-compose, tests, benchmarks).
# Device tokens travel in ODK URL paths (/v1/key/<token>/...): the access log never shows them.
logger_class = "config.gunicorn_logging.RedactingLogger"
