"""How a signed-in person is named on pages, histories and mails: one rule everywhere."""

from __future__ import annotations


def header_name(user, scope) -> str:
    """The name in the page header: the same order as ``person_name`` (display name, full name,
    login name), with the display name (or a member's own name) taken from the scope, which has
    already read it."""
    return scope.display_name or user.get_full_name() or user.get_username()


def person_name(user, default: str = "系统") -> str:
    """The profile's display name, else the full name, else the login name; ``default`` when
    nobody did it (a resident on a public page, a command, the system)."""
    if user is None:
        return default
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.get_full_name() or user.username
