"""Private iCal feeds (issue 5, item 4): who gets which feed, the writes that issue and revoke
feed URLs, and building the .ics text.

A feed belongs to a user. A member's feed lists their own duty shifts and the sessions they can
see (those at the venues they are currently assigned to, and those they attended); an office
account's or administrator's feed lists the sessions in their area. The rows are chosen by the
same ``visible_to`` scoping as every page, computed for the feed's owner at fetch time.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from consult_portal.roles import Role, scope_for

from .models import CalendarFeed, CalendarFeedKind, DutyShift, ShiftSlot

SHANGHAI = ZoneInfo("Asia/Shanghai")
UID_DOMAIN = "consult-portal"
# How far back and ahead a feed reaches; calendar apps keep what they already fetched.
PAST_DAYS = 90
FUTURE_DAYS = 366
SESSION_LENGTH = datetime.timedelta(hours=2)
SLOT_TIMES = {
    ShiftSlot.MORNING: (datetime.time(8, 30), datetime.time(12, 0)),
    ShiftSlot.AFTERNOON: (datetime.time(14, 0), datetime.time(17, 30)),
    ShiftSlot.EVENING: (datetime.time(19, 0), datetime.time(21, 0)),
    ShiftSlot.FULL_DAY: (datetime.time(8, 30), datetime.time(17, 30)),
}
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


def feed_events(*, feed: CalendarFeed) -> tuple[list[DutyShift], list]:
    """The shifts and sessions a feed lists, in two queries."""
    from topics.models import Consultation

    user = feed.user
    now = timezone.now()
    since = now - datetime.timedelta(days=PAST_DAYS)
    until = now + datetime.timedelta(days=FUTURE_DAYS)
    shifts: list[DutyShift] = []
    if feed.kind == CalendarFeedKind.MEMBER:
        shifts = list(
            DutyShift.objects.visible_to(user)
            .published()
            .filter(member_id=scope_for(user).member_id)
            .filter(date__gte=since.date(), date__lte=until.date())
            .select_related("venue")
            .order_by("date", "slot", "pk")
        )
    sessions = list(
        Consultation.objects.visible_to(user)
        .filter(held_at__gte=since, held_at__lte=until)
        .select_related("venue")
        .order_by("held_at", "pk")
    )
    return shifts, sessions


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


# --- the .ics text ---


def _location(venue) -> str:
    return venue.address or venue.name


def session_summary(session) -> str:
    """The event title, e.g. "民情恳谈会:垃圾分类推进"; a title that already starts with its
    form is not prefixed with it again."""
    form = session.get_form_display()
    if session.title.startswith(form):
        return session.title
    return f"{form}:{session.title}"


def build_ics(*, feed: CalendarFeed) -> bytes:
    shifts, sessions = feed_events(feed=feed)
    cal = Calendar()
    cal.add("prodid", "-//基层协商平台//consult-portal//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    is_member = feed.kind == CalendarFeedKind.MEMBER
    cal.add("x-wr-calname", "我的履职日历" if is_member else "协商活动日历")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timezone.now()
    for shift in shifts:
        start_time, end_time = SLOT_TIMES.get(shift.slot, SLOT_TIMES[ShiftSlot.FULL_DAY])
        event = Event()
        event.add("uid", f"shift-{shift.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.datetime.combine(shift.date, start_time, tzinfo=SHANGHAI))
        event.add("dtend", datetime.datetime.combine(shift.date, end_time, tzinfo=SHANGHAI))
        event.add("summary", f"驻站值日({shift.get_slot_display()})· {shift.venue.name}")
        event.add("location", _location(shift.venue))
        if shift.note:
            event.add("description", shift.note)
        cal.add_component(event)
    for session in sessions:
        start = timezone.localtime(session.held_at, SHANGHAI)
        event = Event()
        event.add("uid", f"session-{session.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + SESSION_LENGTH)
        event.add("summary", session_summary(session))
        event.add("location", _location(session.venue))
        event.add("description", f"协商阵地:{session.venue.name}")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
