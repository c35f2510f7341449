# Read by every gunicorn started from the project's root (docker-compose, tests, benchmarks).
import os

# Device tokens travel in ODK URL paths (/v1/key/<token>/...): the access log never shows them.
logger_class = "config.gunicorn_logging.RedactingLogger"

# Threads, not sync workers. A sync worker is held for as long as one client takes to send
# its request: two phones uploading over a poor network (or anyone sending a byte a second)
# hold both workers of a small box, and /healthz waits with everyone else. A gthread worker
# gives each request a thread and waits for a new connection's first bytes in its poller, so
# a slow client holds one thread of WEB_CONCURRENCY x GUNICORN_THREADS, and the body of a
# request is read with a timeout (config/wsgi.py, REQUEST_BODY_READ_TIMEOUT_SECONDS). In
# production nginx stands in front (deploy/nginx.conf) and buffers whole request bodies, so
# gunicorn only ever reads them at local speed; these settings are what holds without it.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker that stops answering its arbiter this long is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
keepalive = 5
