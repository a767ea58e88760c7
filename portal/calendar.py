"""The .ics text of a private calendar feed (issue 5, item 4): the feed owner's duty shifts
(``members``) and the sessions they can see (``topics``), chosen by the same ``visible_to``
scoping as every page, computed for the feed's owner at fetch time. Who holds which feed and the
writes that issue and revoke feed URLs are ``members.calendar``'s.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event

from consult_portal.roles import scope_for
from members.models import CalendarFeed, CalendarFeedKind, DutyShift, ShiftSlot
from topics.models import Consultation

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


def feed_events(*, feed: CalendarFeed) -> tuple[list[DutyShift], list]:
    """The shifts and sessions a feed lists, in two queries."""
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
