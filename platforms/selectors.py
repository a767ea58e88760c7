"""Reads for venues."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from members.models import Assignment

from .models import SIX_STANDARDS_BY_KEY, StandardItem, Venue, VenueStandardRecord


def venue_list(*, user, q: str = "", kind: str = "") -> QuerySet[Venue]:
    qs = Venue.objects.visible_to(user).select_related("area", "brand")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(address__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(
        member_count=Count(
            "assignments", filter=Q(assignments__ended_on__isnull=True), distinct=True
        )
    ).order_by("-is_active", "name", "pk")


def venue_detail_queryset(*, user) -> QuerySet[Venue]:
    return (
        Venue.objects.visible_to(user)
        .select_related("area", "brand")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("member", "member__sector").order_by(
                    "ended_on", "role", "member__name"
                ),
            ),
            Prefetch("standard_records", queryset=VenueStandardRecord.objects.order_by("item")),
        )
    )


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
    from topics.models import Consultation, Topic

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
    from consult_portal.history import change_history
    from members.models import DutyShift
    from topics.models import AttendanceStatus, Consultation, Topic

    from .permissions import can_edit_venue, venue_policy

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
