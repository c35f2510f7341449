"""GET /healthz: 200 when the database (and the broker, if one is configured) answer.

Served by a middleware ahead of the others: the container's health check and load
balancers probe it by address over plain HTTP, which host validation and the HTTPS
redirect of the production settings would otherwise answer with a 400 or a 301.
"""
from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _broker_ok() -> bool | None:
    if not settings.CELERY_BROKER_URL:
        return None
    from config.celery_app import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def healthz(request):
    database = _database_ok()
    broker = _broker_ok()
    healthy = database and broker is not False
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": "ok" if database else "down",
        "broker": {None: "not configured", True: "ok", False: "down"}[broker],
        "tasks": "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "workers",
    }
    return JsonResponse(body, status=200 if healthy else 503)


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
