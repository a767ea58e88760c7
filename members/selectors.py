"""Reads for members: lists and duty-shift summaries. The one-person file (一人一档) and a
member's own home page also list sessions and topics, so ``portal.members`` assembles them."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import (
    Assignment,
    Duty,
    DutyShift,
    Member,
    ShiftStatus,
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
