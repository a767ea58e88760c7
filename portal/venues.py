"""Reads for the venue page and its printables (issue 4, issue 5 item 5), which gather the
venue's own records (``platforms``) with its members and duty shifts (``members``) and its
sessions and topics (``topics``), so they are assembled here, above all three."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from consult_portal.history import change_history
from members.models import Assignment, DutyShift
from platforms.models import SIX_STANDARDS_BY_KEY, StandardItem, Venue, VenueStandardRecord
from platforms.permissions import can_edit_venue, venue_policy
from topics.models import AttendanceStatus, Consultation, Topic


def _one_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def venue_six_standards(*, venue: Venue, today: datetime.date | None = None) -> list[dict]:
    """The "六有" checklist of a venue, in the order of the standard (three queries).

    有阵地 / 有标识 / 有制度 / 有流程 are facts staff record (``VenueStandardRecord``): met when a
    record exists, dated by its ``met_on``.

    The last two are computed from the records of the last 12 months (from the same day a year
    ago up to today, Asia/Shanghai):

    - 有活动 (activities held): at least one session (``Consultation``) at the venue was held in
      the window — a session planned for a later date does not count yet. Dated by the latest.
    - 有成果 (results): in the window, a topic of the venue was resolved (``Topic.resolved_on``,
      which stays set when the topic goes on to be rated or followed up), or a session at the
      venue recorded an outcome (``Consultation.outcome`` not empty, the 共识 agreed there).
      Either is a result residents can see; dated by the latest of the two.
    """
    today = today or timezone.localdate()
    start = _one_year_before(today)
    tz = timezone.get_current_timezone()
    start_at = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    end_at = min(
        timezone.now(),
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )

    records = {r.item: r for r in VenueStandardRecord.objects.filter(venue=venue)}
    sessions = Consultation.objects.filter(
        venue=venue, held_at__gte=start_at, held_at__lt=end_at
    ).aggregate(
        held=Count("pk"),
        last_held=Max("held_at"),
        with_outcome=Count("pk", filter=~Q(outcome="")),
        last_outcome=Max("held_at", filter=~Q(outcome="")),
    )
    resolved = Topic.objects.filter(
        venue=venue, resolved_on__gte=start, resolved_on__lte=today
    ).aggregate(count=Count("pk"), last=Max("resolved_on"))

    items = []
    for item in StandardItem:
        record = records.get(item)
        items.append(
            {
                "key": item.value,
                "label": SIX_STANDARDS_BY_KEY[item.value].label,
                "text": SIX_STANDARDS_BY_KEY[item.value].text,
                "met": record is not None,
                "date": record.met_on if record else None,
                "note": record.note if record else "",
                "computed": False,
            }
        )
    last_held = sessions["last_held"]
    items.append(
        {
            "key": "activity",
            "label": SIX_STANDARDS_BY_KEY["activity"].label,
            "text": SIX_STANDARDS_BY_KEY["activity"].text,
            "met": bool(sessions["held"]),
            "date": timezone.localtime(last_held).date() if last_held else None,
            "note": f"近12个月举办协商活动 {sessions['held']} 次",
            "computed": True,
        }
    )
    outcome_dates = [d for d in (resolved["last"],) if d]
    if sessions["last_outcome"]:
        outcome_dates.append(timezone.localtime(sessions["last_outcome"]).date())
    items.append(
        {
            "key": "result",
            "label": SIX_STANDARDS_BY_KEY["result"].label,
            "text": SIX_STANDARDS_BY_KEY["result"].text,
            "met": bool(resolved["count"] or sessions["with_outcome"]),
            "date": max(outcome_dates) if outcome_dates else None,
            "note": (
                f"近12个月办结议题 {resolved['count']} 件,"
                f"形成协商成果 {sessions['with_outcome']} 次"
            ),
            "computed": True,
        }
    )
    return items


def venue_page(*, user, venue: Venue) -> dict:
    """Everything the venue page shows besides the venue itself; a fixed number of queries.

    ``venue`` comes from ``Venue.objects.visible_to(user)``; the rows hanging off it are the
    venue's own, so they need no further scoping.
    """
    today = timezone.localdate()
    assignments = list(
        Assignment.objects.filter(venue=venue)
        .select_related("member")
        .order_by(F("ended_on").desc(nulls_first=True), "role", "member__name", "pk")
    )
    for a in assignments:
        a.is_current = a.started_on <= today and (a.ended_on is None or a.ended_on >= today)
    shifts = list(
        DutyShift.objects.published()
        .filter(venue=venue, date__gte=today)
        .select_related("member")
        .order_by("date", "slot", "pk")[:10]
    )
    sessions = list(
        Consultation.objects.filter(venue=venue)
        .select_related("host")
        .annotate(
            present_count=Count(
                "attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)
            )
        )
        .order_by("-held_at", "-pk")[:10]
    )
    open_topics = list(
        Topic.objects.filter(venue=venue)
        .open()
        .select_related("category")
        .order_by("-raised_on", "-pk")[:10]
    )
    versions = change_history(
        (venue.history.all(), lambda r: f"阵地 {r.name}"),
        (
            Assignment.history.filter(venue_id=venue.pk),
            lambda r: f"下沉 {r.member.name if r.member else '—'}({r.get_role_display()})",
        ),
    )
    return {
        "assignments": assignments,
        "current_count": sum(1 for a in assignments if a.is_current),
        "shifts": shifts,
        "recent_sessions": sessions,
        "open_topics": open_topics,
        "six_standards": venue_six_standards(venue=venue, today=today),
        "versions": versions,
        "can_edit": can_edit_venue(user, venue),
        # Members open only their own file, so the names are not links for them.
        "link_members": venue_policy.user_can(user, "link_members"),
        "today": today,
    }


def venue_members_for_print(*, venue: Venue) -> QuerySet[Assignment]:
    """Members currently assigned to the venue, conveners first; one query."""
    return (
        Assignment.objects.current()
        .filter(venue=venue, member__is_active=True)
        .select_related("member__sector")
        .order_by("role", "member__name", "pk")
    )


def upcoming_duty_days(
    *, venue: Venue, member_ids: list[int], today: datetime.date | None = None, per_member: int = 3
) -> dict[int, list[DutyShift]]:
    """Each member's next published duty shifts at this venue (today on, at most ``per_member``
    each), by member id; one query for any number of members. Drafts of an unpublished rota
    month are left out, as on the member's own page; a shift a colleague took over belongs to
    the colleague now."""
    today = today or timezone.localdate()
    shifts = (
        DutyShift.objects.published()
        .filter(venue=venue, member_id__in=member_ids, date__gte=today)
        .annotate(
            nth=Window(RowNumber(), partition_by=[F("member_id")], order_by=[F("date"), F("slot")])
        )
        .filter(nth__lte=per_member)
        .order_by("member_id", "date", "slot")
    )
    by_member: dict[int, list[DutyShift]] = defaultdict(list)
    for shift in shifts:
        by_member[shift.member_id].append(shift)
    return dict(by_member)
