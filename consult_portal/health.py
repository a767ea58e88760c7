"""Health and outages: `/healthz` for a load balancer, a friendly 503 when the database is away.

- ``HealthCheckMiddleware`` (first in MIDDLEWARE) answers ``GET /healthz`` before anything else
  runs (no session, no host or HTTPS redirect): 200 ``ok`` when a query and a cache round trip
  succeed, 503 naming what failed otherwise. It sets no cookie and logs nobody in.
- ``server_error`` (``handler500``): when the error behind a 500 is the database being
  unreachable (restarting, failing over, out of connections), the user gets a 503 page that says
  to wait and retry, with ``Retry-After``; any other error keeps the plain 500 page. Neither page
  reads the database.
"""

from __future__ import annotations

import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

HEALTH_PATH = "/healthz"
RETRY_AFTER_SECONDS = 30


def _check() -> list[str]:
    failed = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        failed.append("database")
    try:
        cache.set("healthz", "1", timeout=10)
        if cache.get("healthz") != "1":
            failed.append("cache")
    except Exception:  # any cache client error means the cache is unhealthy
        failed.append("cache")
    return failed


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        failed = _check()
        body = "ok" if not failed else "unavailable: " + ", ".join(failed)
        response = HttpResponse(body, content_type="text/plain", status=503 if failed else 200)
        response["Cache-Control"] = "no-store"
        return response


def server_error(request):
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
