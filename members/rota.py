"""Duty rota (驻站值日排班, issue 5, item 2): plan a venue's month and let members answer.

Which days get shifts: every Monday to Friday of the month, one shift per slot in ``slots``
(default: one full-day shift). Who is on the rota: active members with an assignment at the
venue that overlaps the month.

Fair rotation: for each day and slot, the available member with the fewest shifts this month
(at any venue, counting shifts already on the books) gets it; ties go to the earlier member in
a stable order (name, pk). A member never gets two shifts on one day, never on a weekday they
marked as unavailable or inside a recorded leave (``MemberLeave``), and never on a day they
already have a shift at another venue.

Draft and publish: a generated month is a draft (``ShiftStatus.DRAFT``, hidden from members);
staff adjust it on the grid and publish it, which writes a ``RotaMonth`` row (who, when) and turns
the drafts into ``scheduled`` shifts. A published month is never regenerated: staff adjust it
cell by cell, so a confirmed shift is never dropped.

Staff edits on the grid (``shift_add``, ``shift_reassign``, ``shift_remove``, ``shift_mark``) and a
member taking over a swap (``shift_take``) save one shift at a time, so django-simple-history
records who did what and when.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from consult_portal.dates import day_label
from platforms.models import Venue

from .models import (
    Assignment,
    DutyShift,
    Member,
    MemberLeave,
    RotaMonth,
    ShiftSlot,
    ShiftStatus,
)
from .permissions import rota_policy

# Shifts a regenerate may replace (only in an unpublished month): drafts, which members never saw.
# Any other shift is on members' home pages and calendars, so a regenerate keeps it.
REPLACEABLE = (ShiftStatus.DRAFT,)
# Shifts whose attendance is recorded: they keep their member and stay on the rota.
MARKED = (ShiftStatus.DONE, ShiftStatus.MISSED)
WEEKDAY_NAMES = "一二三四五六日"


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return (
        datetime.date(year, month, 1),
        datetime.date(year, month, calendar.monthrange(year, month)[1]),
    )


def published_month(venue: Venue, year: int, month: int) -> RotaMonth | None:
    return (
        RotaMonth.objects.select_related("published_by__profile")
        .filter(venue=venue, month=datetime.date(year, month, 1))
        .first()
    )


def kept_visible_days(venue: Venue, year: int, month: int) -> list[datetime.date]:
    """Days of a month holding shifts members can see; a regenerate with replace keeps them."""
    first, last = month_bounds(year, month)
    return sorted(
        set(
            DutyShift.objects.published()
            .filter(venue=venue, date__range=(first, last))
            .values_list("date", flat=True)
        )
    )


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


def leave_days(
    member_ids: Sequence[int], first: datetime.date, last: datetime.date
) -> set[tuple[int, datetime.date]]:
    """(member, day) pairs inside a recorded leave, between ``first`` and ``last``."""
    pairs = set()
    leaves = MemberLeave.objects.filter(
        member_id__in=member_ids, starts_on__lte=last, ends_on__gte=first
    ).values_list("member_id", "starts_on", "ends_on")
    for member_id, starts_on, ends_on in leaves:
        day = max(starts_on, first)
        while day <= min(ends_on, last):
            pairs.add((member_id, day))
            day += datetime.timedelta(days=1)
    return pairs


def can_plan_rota(user, venue: Venue) -> bool:
    return rota_policy.user_can(user, "plan", venue)


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
    skip: Iterable[datetime.date] = (),
) -> list[DutyShift]:
    """Write the month's shifts for ``venue``; refuse over an existing month unless ``replace``.

    ``replace`` deletes only drafts. Shifts members can already see (已排班, 已确认, …, e.g. added
    before publishing existed) stay and keep their day and slot; the new draft fills around them
    (``kept_visible_days`` tells staff which days those are). ``skip``: days off (public
    holidays) the draft leaves empty.
    """
    if not can_plan_rota(actor, venue):
        raise PermissionDenied("您没有权限为该阵地排班。")
    Venue.objects.select_for_update().filter(pk=venue.pk).first()  # one rota run per venue
    if published_month(venue, year, month):
        raise ValidationError(f"{year}年{month}月的排班已发布,不能重新生成;请在排班表上逐格调整。")
    skipped = set(skip)
    days = [day for day in month_days(year, month) if day not in skipped]
    first, last = month_bounds(year, month)
    existing = DutyShift.objects.filter(venue=venue, date__range=(first, last))
    if existing.exists():
        if not replace:
            raise ValidationError(f"{year}年{month}月已有排班;如需重排,请选择覆盖未发布的草稿。")
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
    busy = {(member_id, day) for member_id, day, _v, _s in booked}
    busy |= leave_days(ids, first, last)
    plan = plan_rota(
        ids,
        days,
        {m.pk: {int(c) for c in m.unavailable_weekdays if c.isdigit()} for m in members},
        counts,
        busy=busy,
        slots=slots,
        taken={(day, slot) for _m, day, venue_id, slot in booked if venue_id == venue.pk},
    )
    shifts = [
        DutyShift(member_id=member_id, venue=venue, date=day, slot=slot, status=ShiftStatus.DRAFT)
        for day, slot, member_id in plan
    ]
    return DutyShift.objects.bulk_create(shifts)


@transaction.atomic
def rota_publish(*, actor, venue: Venue, year: int, month: int) -> RotaMonth:
    """Publish a venue's month: its drafts become scheduled shifts the members see and answer."""
    if not can_plan_rota(actor, venue):
        raise PermissionDenied("您没有权限为该阵地排班。")
    Venue.objects.select_for_update().filter(pk=venue.pk).first()
    if published_month(venue, year, month):
        raise ValidationError(f"{year}年{month}月的排班已经发布。")
    first, last = month_bounds(year, month)
    shifts = DutyShift.objects.filter(venue=venue, date__range=(first, last))
    if not shifts.exists():
        raise ValidationError(f"{year}年{month}月还没有班次,请先生成或添加排班。")
    shifts.filter(status=ShiftStatus.DRAFT).update(status=ShiftStatus.SCHEDULED)
    return RotaMonth.objects.create(
        venue=venue, month=first, published_at=timezone.now(), published_by=actor
    )


# --- Staff edits on the month grid ---


def _is_assigned(member_id: int, venue: Venue, day: datetime.date) -> bool:
    return (
        Assignment.objects.filter(member_id=member_id, venue=venue, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .exists()
    )


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def check_placement(
    *,
    venue: Venue,
    member: Member,
    day: datetime.date,
    year: int,
    month: int,
    moving: DutyShift | None = None,
    override: bool = False,
) -> None:
    """Refuse a shift the rota rules forbid; a day in the member's unavailable weekdays is a
    warning (code ``unavailable``) that staff may override. Messages name the field at fault."""
    if (day.year, day.month) != (year, month):
        raise _refuse("date", f"日期须在{year}年{month}月之内。", "outside")
    if not member.is_active:
        raise _refuse("member", f"{member.name}已停用,不能排班。", "inactive")
    if not _is_assigned(member.pk, venue, day):
        raise _refuse(
            "member",
            f"{member.name}在{day_label(day)}没有下沉到{venue.name},不能排班。",
            "not_assigned",
        )
    leave = MemberLeave.objects.filter(member=member, starts_on__lte=day, ends_on__gte=day).first()
    if leave is not None:
        raise _refuse(
            "member",
            f"{member.name}在{day_label(day)}请假({day_label(leave.starts_on)}至"
            f"{day_label(leave.ends_on)}),不能排班。",
            "on_leave",
        )
    same_day = DutyShift.objects.filter(member=member, date=day).select_related("venue")
    if moving is not None:
        same_day = same_day.exclude(pk=moving.pk)
    clash = same_day.first()
    if clash is not None:
        raise _refuse(
            "member",
            f"{member.name}在{day_label(day)}已在{clash.venue.name}值日,同一天不能排两次。",
            "twice",
        )
    if not override and str(day.weekday()) in member.unavailable_weekdays:
        raise _refuse(
            "member",
            f"{member.name}标注周{WEEKDAY_NAMES[day.weekday()]}不便值班;"
            "如已与本人确认,请勾选“仍然安排”后再提交。",
            "unavailable",
        )


def _editable_shift(actor, shift: DutyShift) -> DutyShift:
    if not can_plan_rota(actor, shift.venue):
        raise PermissionDenied("您没有权限为该阵地排班。")
    return DutyShift.objects.select_for_update().select_related("member", "venue").get(pk=shift.pk)


@transaction.atomic
def shift_add(
    *,
    actor,
    venue: Venue,
    year: int,
    month: int,
    day: datetime.date,
    member: Member,
    slot: str = ShiftSlot.FULL_DAY,
    override: bool = False,
) -> DutyShift:
    if not can_plan_rota(actor, venue):
        raise PermissionDenied("您没有权限为该阵地排班。")
    check_placement(venue=venue, member=member, day=day, year=year, month=month, override=override)
    published = published_month(venue, year, month) is not None
    shift = DutyShift(
        member=member,
        venue=venue,
        date=day,
        slot=slot,
        status=ShiftStatus.SCHEDULED if published else ShiftStatus.DRAFT,
    )
    shift._history_user = actor
    shift.save()
    return shift


@transaction.atomic
def shift_reassign(*, actor, shift: DutyShift, member: Member, override: bool = False) -> DutyShift:
    """Give a shift to another member. On a shift whose member asked for a swap this is the
    office approving the swap: the original member is kept in ``swapped_from``."""
    locked = _editable_shift(actor, shift)
    if locked.status in MARKED:
        raise _refuse("member", "已记录到岗情况的班次不能换人。", "marked")
    if member.pk == locked.member_id:
        raise _refuse("member", f"该班次已是{member.name}。", "same")
    check_placement(
        venue=locked.venue,
        member=member,
        day=locked.date,
        year=locked.date.year,
        month=locked.date.month,
        moving=locked,
        override=override,
    )
    if locked.status == ShiftStatus.SWAP_REQUESTED:
        locked.swapped_from_id = locked.member_id
    if locked.status != ShiftStatus.DRAFT:
        locked.status = ShiftStatus.SCHEDULED  # the new member answers it
    locked.member = member
    locked._history_user = actor
    locked.save(update_fields=["member", "status", "swapped_from"])
    return locked


@transaction.atomic
def shift_remove(*, actor, shift: DutyShift) -> None:
    locked = _editable_shift(actor, shift)
    if locked.status in MARKED:
        raise ValidationError("已记录到岗情况的班次不能移除。", code="marked")
    locked._history_user = actor
    locked.delete()


@transaction.atomic
def shift_mark(*, actor, shift: DutyShift, attended: bool) -> DutyShift:
    """After the day: 已到 (done, earns duty-day points) or 缺勤 (missed, earns nothing)."""
    locked = _editable_shift(actor, shift)
    if locked.status == ShiftStatus.DRAFT:
        raise ValidationError("草稿班次尚未发布,不能登记到岗。", code="draft")
    if locked.date > timezone.localdate():
        raise ValidationError("值日日期未到,不能登记到岗情况。", code="future")
    locked.status = ShiftStatus.DONE if attended else ShiftStatus.MISSED
    locked._history_user = actor
    locked.save(update_fields=["status"])
    return locked


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
    locked._history_user = actor
    locked.save(update_fields=["status"])
    return locked


ABSENCE_REASON_MAX = 200


@transaction.atomic
def shift_decline(*, actor, shift: DutyShift, reason: str) -> DutyShift:
    """The member can't make it: ask the office for a swap, saying why (the office reads it
    beside the request)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "请写明无法到岗的原因,方便办公室安排替班。"})
    if len(reason) > ABSENCE_REASON_MAX:
        raise ValidationError(
            {"reason": f"原因不能超过 {ABSENCE_REASON_MAX} 个字(现有 {len(reason)} 个)。"}
        )
    locked = _own_shift(actor, shift)
    if locked.status not in (ShiftStatus.SCHEDULED, ShiftStatus.CONFIRMED):
        raise ValidationError(f"该值日状态为“{locked.get_status_display()}”,不能申请调班。")
    locked.status = ShiftStatus.SWAP_REQUESTED
    locked.absence_reason = reason
    locked._history_user = actor
    locked.save(update_fields=["status", "absence_reason"])
    return locked


@transaction.atomic
def shift_take(*, actor, shift: DutyShift) -> DutyShift:
    """我来替班: another member assigned to the venue takes a shift whose member asked for a swap.
    The shift moves to them, confirmed; the original member is kept in ``swapped_from``."""
    taker = Member.objects.filter(user=actor).first()
    if taker is None or not taker.is_active:
        raise PermissionDenied("只有在任委员可以替班。")
    locked = (
        DutyShift.objects.select_for_update().select_related("member", "venue").get(pk=shift.pk)
    )
    if locked.status != ShiftStatus.SWAP_REQUESTED:
        raise ValidationError("该值日已有人替班或不再需要替班。", code="taken")
    if locked.member_id == taker.pk:
        raise ValidationError("不能替自己的班;如能到岗,请点“确认值日”。", code="self")
    if locked.date < timezone.localdate():
        raise ValidationError("该值日日期已过,不能替班。", code="past")
    if not _is_assigned(taker.pk, locked.venue, locked.date):
        raise PermissionDenied("您没有下沉到该阵地,不能替班。")
    if DutyShift.objects.filter(member=taker, date=locked.date).exists():
        raise ValidationError(
            f"您在{day_label(locked.date)}已有值日,同一天不能再替班。", code="twice"
        )
    locked.swapped_from_id = locked.member_id
    locked.member = taker
    locked.status = ShiftStatus.CONFIRMED
    locked._history_user = actor
    locked.save(update_fields=["member", "status", "swapped_from"])
    return locked
