"""Reads for members: lists and duty-shift summaries. The one-person file (一人一档) and a
member's own home page also list sessions and topics, so ``portal.members`` assembles them."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import (
    Assignment,
    Duty,
    DutyKind,
    DutyShift,
    DutyStatus,
    Member,
    ShiftStatus,
)

# The "五个一" duties a member owes each year.
FIVE_ONES = (
    DutyKind.PROPOSAL,
    DutyKind.RESEARCH,
    DutyKind.CONSULTATION,
    DutyKind.OPINION,
    DutyKind.DEED,
)


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


def five_ones(*, member_id: int, year: int) -> list[dict]:
    """This year's 五个一 checklist, computed from the records (two queries).

    The consultation duty counts sessions attended (``Attendance``, present) plus consultation
    duties recorded by hand for sessions outside the portal (a higher committee's, say).
    """
    from topics.models import Attendance, AttendanceStatus

    done = dict(
        Duty.objects.filter(
            member_id=member_id, date__year=year, status=DutyStatus.DONE, kind__in=FIVE_ONES
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    done[DutyKind.CONSULTATION] = done.get(DutyKind.CONSULTATION, 0) + (
        Attendance.objects.filter(
            member_id=member_id,
            status=AttendanceStatus.PRESENT,
            consultation__held_at__year=year,
        ).count()
    )
    return [{"kind": kind, "label": kind.label, "count": done.get(kind, 0)} for kind in FIVE_ONES]
