"""Reads for a member's own home page and the one-person file (一人一档): they gather the
member's records (``members``) with the sessions they attended and the topics they raised
(``topics``), so they are assembled here, above both."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from consult_portal.history import change_history
from consult_portal.roles import scope_for
from members.models import Assignment, Duty, DutyShift, DutyStatus, Member, MemberLeave, ShiftStatus
from members.permissions import (
    can_assign,
    can_edit_member,
    can_manage_assignment,
    leave_policy,
)
from members.points import five_ones_from_points, member_points
from members.selectors import shift_summary
from topics.models import Attendance, AttendanceStatus, Consultation, Topic


def attendance_summary(*, member: Member, year: int | None = None) -> dict:
    """Counts of the member's attendance records by status and the attendance rate: the whole
    record, or the sessions held in ``year`` (Asia/Shanghai)."""
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


def member_home(*, user) -> dict:
    """A member's own page: venues, next duty days, upcoming sessions, open topics, 五个一."""
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
    leaves = list(
        MemberLeave.objects.filter(member=member)
        .select_related("area", "member__area")
        .order_by("-starts_on", "-pk")[:10]
    )
    for leave in leaves:
        leave.is_past = leave.ends_on < today
        # Only the office that recorded it, or one above, removes it (no query: areas loaded).
        leave.removable = leave_policy.user_can(user, "change", leave)
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
