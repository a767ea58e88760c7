"""Reads for members: lists, the one-person file (一人一档) and a member's own home page."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from consult_portal.roles import scope_for

from .models import (
    Assignment,
    Duty,
    DutyShift,
    DutyStatus,
    Member,
    MemberLeave,
    ShiftStatus,
)
from .points import five_ones_from_points, member_points


def member_list(*, user, q: str = "") -> QuerySet[Member]:
    qs = Member.objects.visible_to(user).select_related("sector", "area")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(work_unit__icontains=q) | Q(phone__contains=q))
    return qs.order_by("-is_active", "name", "pk")


def member_detail_queryset(*, user) -> QuerySet[Member]:
    return (
        Member.objects.visible_to(user)
        .select_related("sector", "area", "user")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("venue", "area")),
            Prefetch(
                "duties", queryset=Duty.objects.select_related("venue").order_by("-date", "pk")
            ),
        )
    )


def attendance_summary(*, member: Member, year: int | None = None) -> dict:
    """Counts of the member's attendance records by status and the attendance rate: the whole
    record, or the sessions held in ``year`` (Asia/Shanghai)."""
    from topics.models import AttendanceStatus

    rows = member.attendances.all()
    if year is not None:
        rows = rows.filter(consultation__held_at__year=year)
    counts = rows.aggregate(
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
        leave=Count("pk", filter=Q(status=AttendanceStatus.LEAVE)),
        total=Count("pk"),
    )
    counts["rate"] = (
        round(100 * counts["present"] / counts["total"], 1) if counts["total"] else None
    )
    return counts


def shift_summary(*, member: Member, year: int | None = None) -> dict:
    """Duty days the office has marked: 已到 (done) and 缺勤 (missed), and the rate of days
    attended over days marked (one query), over the whole record or ``year``. Unmarked, draft
    and swapped-away shifts do not count: a shift taken over by a colleague belongs to the
    colleague."""
    rows = DutyShift.objects.filter(member=member)
    if year is not None:
        rows = rows.filter(date__year=year)
    counts = rows.aggregate(
        done=Count("pk", filter=Q(status=ShiftStatus.DONE)),
        missed=Count("pk", filter=Q(status=ShiftStatus.MISSED)),
    )
    counts["total"] = counts["done"] + counts["missed"]
    counts["rate"] = round(100 * counts["done"] / counts["total"], 1) if counts["total"] else None
    return counts


def member_home(*, user) -> dict:
    """A member's own page: venues, next duty days, upcoming sessions, open topics, 五个一."""
    from topics.models import Consultation, Topic

    scope = scope_for(user)
    today = timezone.localdate()
    member = Member.objects.select_related("sector", "area").get(pk=scope.member_id)
    assignments = list(
        Assignment.objects.current(today).filter(member=member).select_related("venue", "area")
    )
    shifts = list(
        DutyShift.objects.published()
        .filter(member=member, date__gte=today)
        .select_related("venue", "swapped_from")
        .order_by("date", "slot")[:5]
    )
    # Colleagues' shifts at my venues waiting for someone to take over (我来替班).
    swap_offers = list(
        DutyShift.objects.filter(
            venue_id__in=scope.venue_ids,
            status=ShiftStatus.SWAP_REQUESTED,
            date__gte=today,
        )
        .exclude(member=member)
        .select_related("venue", "member")
        .order_by("date", "slot", "pk")[:10]
    )
    # My shifts a colleague took over: no longer mine, shown so I know who covers them.
    covered = list(
        DutyShift.objects.published()
        .filter(swapped_from=member, date__gte=today)
        .select_related("venue", "member")
        .order_by("date", "slot", "pk")[:5]
    )
    sessions = list(
        Consultation.objects.filter(venue_id__in=scope.venue_ids, held_at__gte=timezone.now())
        .select_related("venue")
        .order_by("held_at")[:5]
    )
    open_topics = list(
        Topic.objects.visible_to(user)
        .open()
        .select_related("venue", "category")
        .order_by("-raised_on")[:10]
    )
    points = _points_this_year(member, today.year)
    reports = Duty.objects.filter(member=member).aggregate(
        submitted=Count("pk", filter=Q(status=DutyStatus.SUBMITTED)),
        returned=Count("pk", filter=Q(status=DutyStatus.RETURNED)),
    )
    return {
        "member": member,
        "assignments": assignments,
        "shifts": shifts,
        "swap_offers": swap_offers,
        "covered_shifts": covered,
        # This year's, like the 五个一 and the points beside them (the member file has the
        # whole record).
        "shift_attendance": shift_summary(member=member, year=today.year),
        "sessions": sessions,
        "open_topics": open_topics,
        "attendance": attendance_summary(member=member, year=today.year),
        # Points this year with the breakdown (issue 5, item 3).
        # The 五个一 checklist comes from the same counts (no extra query).
        "points": points,
        "five_ones": five_ones_from_points(points),
        # My own duty reports still with the office or sent back to me.
        "reports": reports,
        "today": today,
        "week_later": today + datetime.timedelta(days=7),
    }


def _points_this_year(member: Member, year: int):
    return member_points([member], year)[member.pk]


def _describe_assignment_version(record) -> str:
    if record.venue_id and record.venue:
        where = record.venue.name
    else:
        where = f"{record.area.name if record.area else '—'}联络委"
    return f"下沉 {where}({record.get_role_display()})"


def member_page(*, user, member: Member) -> dict:
    """Everything the one-person file (一人一档) shows besides the member; fixed queries.

    ``member`` comes from ``Member.objects.visible_to(user)``. The attendance *rate* is the
    member's whole record (present over every session they were expected at: 出席, 缺席 and 请假
    are all expected attendances); the list of sessions shows only sessions the user may see,
    so a district's staff never read another district's session titles. Topics raised are
    likewise limited to the topics the user may see.
    """
    from consult_portal.history import change_history
    from topics.models import Attendance, Consultation, Topic

    from .permissions import can_assign, can_edit_member, can_manage_assignment

    today = timezone.localdate()
    assignments = list(
        Assignment.objects.filter(member=member)
        .select_related("venue__area", "area")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "pk")
    )
    for a in assignments:
        a.is_current = a.started_on <= today and (a.ended_on is None or a.ended_on >= today)
        a.can_end = a.ended_on is None and can_manage_assignment(user, a)
    attendances = list(
        Attendance.objects.filter(
            member=member,
            consultation__in=Consultation.objects.visible_to(user).values("pk"),
        )
        .select_related("consultation__venue")
        .order_by("-consultation__held_at", "-pk")[:20]
    )
    duties = list(
        Duty.objects.filter(member=member).select_related("venue").order_by("-date", "-pk")[:20]
    )
    topics_raised = list(
        Topic.objects.visible_to(user)
        .filter(raised_by_member=member)
        .select_related("category", "venue")
        .order_by("-raised_on", "-pk")[:20]
    )
    shifts = list(
        DutyShift.objects.published()
        .filter(member=member, date__gte=today)
        .select_related("venue")
        .order_by("date", "slot", "pk")[:5]
    )
    versions = change_history(
        (member.history.all(), lambda r: f"档案 {r.name}"),
        (
            Assignment.history.filter(member_id=member.pk),
            _describe_assignment_version,
        ),
        (
            Duty.history.filter(member_id=member.pk),
            lambda r: f"履职 {r.get_kind_display()} {r.title}",
        ),
    )
    leaves = list(MemberLeave.objects.filter(member=member).order_by("-starts_on", "-pk")[:10])
    for leave in leaves:
        leave.is_past = leave.ends_on < today
    return {
        "assignments": assignments,
        "leaves": leaves,
        "attendances": attendances,
        "attendance": attendance_summary(member=member),
        "duties": duties,
        "topics_raised": topics_raised,
        "shifts": shifts,
        "shift_attendance": shift_summary(member=member),
        # This year's points with the breakdown, from members/points.py (issue 5, item 3).
        "points": _points_this_year(member, today.year),
        "versions": versions,
        "can_edit": can_edit_member(user, member),
        "can_assign": can_assign(user) and member.is_active,
        "today": today,
    }
