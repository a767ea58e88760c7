"""Where a user is signed in, and signing out of one of those places.

``SignedInSession`` rows follow sign-in and sign-out (``user_logged_in`` / ``user_logged_out``,
connected in ``ConsultPortalConfig.ready``); the idle-time middleware moves ``last_seen_at`` when
it refreshes the session (at most once a minute). Signing out of another device deletes that
session from the session store: its next request is anonymous and goes to the login page.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.utils import timezone

from .http import client_ip
from .models import SignedInSession


def _store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def started(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    if not session.session_key:
        session.save()
    SignedInSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
            "started_at": timezone.now(),
            "last_seen_at": timezone.now(),
        },
    )


def ended(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        SignedInSession.objects.filter(session_key=session.session_key).delete()


def seen(session_key: str | None) -> None:
    if session_key:
        SignedInSession.objects.filter(session_key=session_key).update(last_seen_at=timezone.now())


def sessions_of(user):
    """The user's sessions that are still signed in (expired ones are dropped on the way)."""
    rows = list(SignedInSession.objects.filter(user=user))
    alive = []
    for row in rows:
        if _store(row.session_key).exists(row.session_key):
            alive.append(row)
        else:
            row.delete()
    return alive


def sign_out(*, user, pk: int | None = None, keep: str | None = None) -> int:
    """Sign ``user`` out of session ``pk``, or of every session but ``keep``; return how many."""
    rows = SignedInSession.objects.filter(user=user)
    rows = rows.filter(pk=pk) if pk is not None else rows.exclude(session_key=keep or "")
    count = 0
    for row in rows:
        _store(row.session_key).delete(row.session_key)
        row.delete()
        count += 1
    return count
