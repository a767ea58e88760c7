"""Reads from a PostgreSQL replica, with read-your-writes.

When ``DATABASE_REPLICA_URL`` is set, the settings add a ``replica`` database and
``ReplicaRouter``. Reads go to the replica only inside views that opt in with
``ReplicaReadsMixin`` — the dashboards, the lists and their exports: pages that read a lot, write
nothing, and may show a state a second old. Everything else (forms, moves, the topic page, the
public pages, sign-in) reads the primary, and every write goes to the primary.

Read-your-writes: a replica is a moment behind its primary. A request that may have written (any
POST, PUT, PATCH or DELETE) sets a short cookie, and while it lasts the same browser reads the
primary everywhere, so staff who just logged a session see it in the list they are sent back to.
The cookie carries no identity and no secret: forging it only makes that browser read the primary.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "cp_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

_reading_from_replica = contextvars.ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reading_from_replica():
    """Reads inside the block go to the replica (when one is configured)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def pinned_to_primary(request) -> bool:
    return PIN_COOKIE in request.COOKIES


class ReplicaRouter:
    """Reads: the replica inside ``reading_from_replica()``, else the primary. Writes: always
    the primary — also for a row that was read from the replica (Django would otherwise save it
    back where it came from). Migrations run on the primary only; replication copies them."""

    def db_for_read(self, model, **hints):
        # Sessions are read on every request and changed by it: never a stale copy.
        if model._meta.app_label == "sessions":
            return DEFAULT_DB_ALIAS
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: a relation between them is one row

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaReadsMixin:
    """For views whose GET only reads and may be a moment behind (dashboards, lists, exports).

    The view, its template, and a streamed response's body (CSV exports are read row by row
    after the view returns) read from the replica — unless the browser just wrote
    (``PIN_COOKIE``)."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or not replica_configured()
            or pinned_to_primary(request)
        ):
            return super().dispatch(request, *args, **kwargs)
        with reading_from_replica():
            response = super().dispatch(request, *args, **kwargs)
            # A TemplateResponse renders after the view returns, and the page's rows are read
            # while rendering: render it here.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        if getattr(response, "streaming", False):
            response.streaming_content = _on_replica(response.streaming_content)
        return response


def _on_replica(chunks):
    iterator = iter(chunks)
    while True:
        with reading_from_replica():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


class PinToPrimaryMiddleware:
    """After a request that may have written, the browser reads the primary for
    ``DATABASE_REPLICA_PIN_SECONDS`` (the replica's lag with room to spare)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_configured():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
