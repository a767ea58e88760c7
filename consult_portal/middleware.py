"""What every signed-in request gets: an idle time-out and responses no cache keeps.

- The session ends ``SESSION_COOKIE_AGE`` seconds (30 minutes by default) after the last request.
  Django moves a session's end only when the session is saved, so the end is moved forward here,
  at most once every ``REFRESH_SECONDS`` (a page view does not write the session row each time).
- A response to a signed-in user (pages, exports with phone numbers, the member's calendar page)
  carries ``Cache-Control: no-store, private``: the browser's back button after signing out, a
  shared computer or a proxy never shows it again.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.cache import patch_cache_control

from . import sessions

REFRESH_SECONDS = 60
_SEEN = "_seen"


def mark_seen_on_login(sender, request, user, **kwargs):
    """Connected to ``user_logged_in``: a new session starts its idle clock at sign-in, so the
    first pages after it do not write the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[_SEEN] = int(time.time())


class SignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in:
            now = int(time.time())
            if now - request.session.get(_SEEN, 0) >= REFRESH_SECONDS:
                # Marks the session modified: it is saved with a new end (now + the idle age).
                request.session[_SEEN] = now
                sessions.seen(request.session.session_key)
        response = self.get_response(request)
        if signed_in:
            patch_cache_control(response, no_store=True, private=True)
        return response


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
