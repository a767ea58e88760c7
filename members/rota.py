"""Duty rota (驻站值日排班, issue 5, item 2): plan a venue's month and let members answer.

Which days get shifts: every Monday to Friday of the month, one shift per slot in ``slots``
(default: one full-day shift). Who is on the rota: active members with an assignment at the
venue that overlaps the month.

Fair rotation: for each day and slot, the available member with the fewest shifts this month
(at any venue, counting shifts already on the books) gets it; ties go to the earlier member in
a stable order (name, pk). A member never gets two shifts on one day, never on a weekday they
marked as unavailable, and never on a day they already have a shift at another venue.

There is no draft state in ShiftStatus: generated shifts are ``scheduled`` and visible to the
members at once, so there is no separate "publish" step.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from consult_portal.roles import Role, scope_for
from platforms.models import Venue

from .models import Assignment, DutyShift, Member, ShiftSlot, ShiftStatus

WRITE_ROLES = (Role.ADMIN, Role.OFFICE)
# Shifts a regenerate may replace: nobody has answered them yet.
REPLACEABLE = (ShiftStatus.SCHEDULED,)


def month_days(year: int, month: int) -> list[datetime.date]:
    """Every Monday to Friday of the month: the days a rota covers."""
    last = calendar.monthrange(year, month)[1]
    days = [datetime.date(year, month, d) for d in range(1, last + 1)]
    return [day for day in days if day.weekday() < 5]


def plan_rota(
    members: Sequence[int],
    days: Iterable[datetime.date],
    unavailable: dict[int, set[int]],
    existing_counts: dict[int, int],
    *,
    busy: set[tuple[int, datetime.date]] | frozenset = frozenset(),
    slots: Sequence[str] = (ShiftSlot.FULL_DAY,),
    taken: set[tuple[datetime.date, str]] | frozenset = frozenset(),
) -> list[tuple[datetime.date, str, int]]:
    """Pure planning: return (day, slot, member id) triples; a slot nobody can take stays empty.

    ``members`` is the stable tie-break order; ``busy`` holds (member, day) pairs already on duty
    somewhere; ``taken`` holds (day, slot) pairs already filled at this venue.
    """
    order = {member: index for index, member in enumerate(members)}
    counts = {member: existing_counts.get(member, 0) for member in members}
    plan = []
    for day in days:
        on_duty = {member for member, busy_day in busy if busy_day == day}
        for slot in slots:
            if (day, slot) in taken:
                continue
            candidates = [
                m
                for m in members
                if m not in on_duty and day.weekday() not in unavailable.get(m, set())
            ]
            if not candidates:
                continue
            chosen = min(candidates, key=lambda m: (counts[m], order[m]))
            counts[chosen] += 1
            on_duty.add(chosen)
            plan.append((day, slot, chosen))
    return plan


def can_plan_rota(user, venue: Venue) -> bool:
    scope = scope_for(user)
    if scope.role not in WRITE_ROLES:
        return False
    return Venue.objects.visible_to(user).filter(pk=venue.pk).exists()


def rota_members(venue: Venue, first: datetime.date, last: datetime.date) -> list[Member]:
    assigned = Assignment.objects.filter(venue=venue, started_on__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )
    return list(
        Member.objects.filter(is_active=True, pk__in=assigned.values("member_id"))
        .order_by("name", "pk")
        .distinct()
    )


@transaction.atomic
def rota_generate(
    *,
    actor,
    venue: Venue,
    year: int,
    month: int,
    slots: Sequence[str] = (ShiftSlot.FULL_DAY,),
    replace: bool = False,
) -> list[DutyShift]:
    """Write the month's shifts for ``venue``; refuse over an existing month unless ``replace``.

    ``replace`` deletes only unanswered (scheduled) shifts; confirmed ones stay and keep their slot.
    """
    if not can_plan_rota(actor, venue):
        raise PermissionDenied("您没有权限为该阵地排班。")
    Venue.objects.select_for_update().filter(pk=venue.pk).first()  # one rota run per venue
    days = month_days(year, month)
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    existing = DutyShift.objects.filter(venue=venue, date__range=(first, last))
    if existing.exists():
        if not replace:
            raise ValidationError(f"{year}年{month}月已有排班;如需重排,请选择覆盖未确认的班次。")
        existing.filter(status__in=REPLACEABLE).delete()
    members = rota_members(venue, first, last)
    ids = [m.pk for m in members]
    booked = list(
        DutyShift.objects.filter(member_id__in=ids, date__range=(first, last)).values_list(
            "member_id", "date", "venue_id", "slot"
        )
    )
    counts: dict[int, int] = {}
    for member_id, _day, _venue, _slot in booked:
        counts[member_id] = counts.get(member_id, 0) + 1
    plan = plan_rota(
        ids,
        days,
        {m.pk: {int(c) for c in m.unavailable_weekdays if c.isdigit()} for m in members},
        counts,
        busy={(member_id, day) for member_id, day, _v, _s in booked},
        slots=slots,
        taken={(day, slot) for _m, day, venue_id, slot in booked if venue_id == venue.pk},
    )
    shifts = [
        DutyShift(member_id=member_id, venue=venue, date=day, slot=slot)
        for day, slot, member_id in plan
    ]
    return DutyShift.objects.bulk_create(shifts)


def _own_shift(actor, shift: DutyShift) -> DutyShift:
    locked = DutyShift.objects.select_for_update().select_related("member").get(pk=shift.pk)
    if locked.member.user_id is None or locked.member.user_id != actor.pk:
        raise PermissionDenied("只能答复自己的值日。")
    return locked


@transaction.atomic
def shift_confirm(*, actor, shift: DutyShift) -> DutyShift:
    locked = _own_shift(actor, shift)
    if locked.status not in (ShiftStatus.SCHEDULED, ShiftStatus.SWAP_REQUESTED):
        raise ValidationError(f"该值日状态为“{locked.get_status_display()}”,不能确认。")
    locked.status = ShiftStatus.CONFIRMED
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def shift_decline(*, actor, shift: DutyShift) -> DutyShift:
    """The member can't make it: ask the office for a swap."""
    locked = _own_shift(actor, shift)
    if locked.status not in (ShiftStatus.SCHEDULED, ShiftStatus.CONFIRMED):
        raise ValidationError(f"该值日状态为“{locked.get_status_display()}”,不能申请调班。")
    locked.status = ShiftStatus.SWAP_REQUESTED
    locked.save(update_fields=["status"])
    return locked
