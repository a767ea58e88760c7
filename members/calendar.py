"""Private iCal feeds (issue 5, item 4): who gets which feed and the writes that issue and revoke
feed URLs. The .ics text, which lists sessions from ``topics`` too, is built one layer up, in
``portal.calendar``.

A feed belongs to a user. A member's feed lists their own duty shifts and the sessions they can
see (those at the venues they are currently assigned to, and those they attended); an office
account's or administrator's feed lists the sessions in their area. The rows are chosen by the
same ``visible_to`` scoping as every page, computed for the feed's owner at fetch time.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from consult_portal.roles import Role, scope_for

from .models import CalendarFeed, CalendarFeedKind

FEED_KIND_BY_ROLE = {
    Role.MEMBER: CalendarFeedKind.MEMBER,
    Role.OFFICE: CalendarFeedKind.AREA,
    Role.ADMIN: CalendarFeedKind.AREA,
}


def feed_kind_for(user) -> str | None:
    """The kind of feed this user may hold, or None (leaders, accounts without a role)."""
    scope = scope_for(user)
    if scope.sees_nothing:
        return None
    return FEED_KIND_BY_ROLE.get(scope.role)


# --- reads ---


def live_feed(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed for a URL token; None when revoked, unknown, or the owner lost the role."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None or feed_kind_for(feed.user) != feed.kind:
        return None
    return feed


# --- writes ---


@transaction.atomic
def calendar_feed_regenerate(*, actor) -> CalendarFeed:
    """Issue a new feed URL for ``actor``; the old one (if any) stops working at once."""
    kind = feed_kind_for(actor)
    if kind is None:
        raise PermissionDenied("您的账号不能订阅日历。")
    now = timezone.now()
    CalendarFeed.objects.select_for_update().filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return CalendarFeed.objects.create(user=actor, kind=kind)


@transaction.atomic
def calendar_feed_revoke(*, actor) -> int:
    """Revoke ``actor``'s feed URL; returns how many were revoked (0 or 1)."""
    if feed_kind_for(actor) is None:
        raise PermissionDenied("您的账号不能订阅日历。")
    return (
        CalendarFeed.objects.select_for_update()
        .filter(user=actor, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )
