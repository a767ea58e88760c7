"""Writes to members and their assignments. Nothing here deletes: a member who leaves office is
deactivated and an assignment that ends gets an end date, so the 一人一档 keeps its history.

The acting user is put on each instance (``_history_user``) so django-simple-history records who
changed what even outside a request.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from consult_portal.roles import scope_for
from platforms.models import Area, Venue
from platforms.permissions import can_manage_area

from .models import Assignment, AssignmentRole, DutyShift, Member, MemberLeave, ShiftStatus
from .permissions import can_assign, can_edit_member, can_manage_assignment, leave_policy

MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_year",
    "political_status",
    "sector",
    "committee_level",
    "area",
    "term",
    "special_committee",
    "work_unit",
    "title",
    "phone",
    "focus_areas",
    "bio",
    "unavailable_weekdays",
)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")


@transaction.atomic
def member_create(*, actor, **fields) -> Member:
    _check_fields(fields)
    if not can_manage_area(actor, fields.get("area")):
        raise PermissionDenied("您不能在该政协登记委员。")
    member = Member(**fields)
    member.full_clean()
    member._history_user = actor
    member.save()
    return member


@transaction.atomic
def member_update(*, actor, member: Member, **fields) -> Member:
    _check_fields(fields)
    locked = Member.objects.select_for_update().select_related("area").get(pk=member.pk)
    if not can_edit_member(actor, locked):
        raise PermissionDenied("您没有权限修改该委员档案。")
    if "area" in fields and not can_manage_area(actor, fields["area"]):
        raise PermissionDenied("您不能把委员调到该政协。")
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, fields[name])
    if changed:
        locked.full_clean()
        locked._history_user = actor
        locked.save(update_fields=[*changed, "updated_at"])
    return locked


@transaction.atomic
def member_deactivate(*, actor, member: Member, on: datetime.date | None = None) -> Member:
    """Mark a member as no longer serving and end their open assignments on ``on`` (today).

    An assignment that starts later than ``on`` ends on its own start day (the model keeps
    end ≥ start); nothing is deleted. Reactivating does not reopen assignments: staff add new
    ones, so the file shows the gap.
    """
    on = on or timezone.localdate()
    locked = Member.objects.select_for_update().select_related("area").get(pk=member.pk)
    if not can_edit_member(actor, locked):
        raise PermissionDenied("您没有权限停用该委员。")
    if locked.is_active:
        locked.is_active = False
        locked._history_user = actor
        locked.save(update_fields=["is_active", "updated_at"])
    open_assignments = Assignment.objects.select_for_update().filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on), member=locked
    )
    for assignment in open_assignments:
        assignment.ended_on = max(on, assignment.started_on)
        assignment._history_user = actor
        assignment.save(update_fields=["ended_on"])
    return locked


@transaction.atomic
def member_reactivate(*, actor, member: Member) -> Member:
    locked = Member.objects.select_for_update().select_related("area").get(pk=member.pk)
    if not can_edit_member(actor, locked):
        raise PermissionDenied("您没有权限启用该委员。")
    if not locked.is_active:
        locked.is_active = True
        locked._history_user = actor
        locked.save(update_fields=["is_active", "updated_at"])
    return locked


@transaction.atomic
def assignment_add(
    *,
    actor,
    member: Member,
    venue: Venue | None = None,
    area: Area | None = None,
    role: str = AssignmentRole.MEMBER,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
) -> Assignment:
    """Send a member to a venue, or into a subdistrict liaison group (exactly one of the two)."""
    if (venue is None) == (area is None):
        raise ValidationError("请选择一个阵地或一个街道联络委(二选一)。", code="venue_xor_area")
    if not can_manage_area(actor, venue.area if venue else area):
        raise PermissionDenied("您不能在该区域安排委员下沉。")
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if not locked.is_active:
        raise ValidationError("该委员已停用,请先恢复后再安排下沉。", code="inactive")
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "结束日期不能早于开始日期。"})
    overlapping = Assignment.objects.filter(member=locked, venue=venue, area=area).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=started_on)
    )
    if ended_on is not None:
        overlapping = overlapping.filter(started_on__lte=ended_on)
    if overlapping.exists():
        raise ValidationError("该委员在这段时间已下沉到此处,请先结束原记录。", code="overlap")
    assignment = Assignment(
        member=locked, venue=venue, area=area, role=role, started_on=started_on, ended_on=ended_on
    )
    assignment.full_clean()
    assignment._history_user = actor
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(*, actor, assignment: Assignment, ended_on: datetime.date) -> Assignment:
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("venue__area", "area")
        .get(pk=assignment.pk)
    )
    if not can_manage_assignment(actor, locked):
        raise PermissionDenied("您没有权限结束该下沉记录。")
    if ended_on < locked.started_on:
        raise ValidationError({"ended_on": "结束日期不能早于开始日期。"})
    locked.ended_on = ended_on
    locked._history_user = actor
    locked.save(update_fields=["ended_on"])
    return locked


MAX_LEAVE_DAYS = 366


@transaction.atomic
def member_leave_add(
    *, actor, member: Member, starts_on: datetime.date, ends_on: datetime.date, reason: str = ""
) -> MemberLeave:
    """Record a leave. Overlapping leaves are refused (edit by removing and adding again);
    shifts already planned inside the leave are not moved, the message lists them instead."""
    if not can_assign(actor):
        raise PermissionDenied("您没有权限登记委员请假。")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})
    if (ends_on - starts_on).days + 1 > MAX_LEAVE_DAYS:
        raise ValidationError({"ends_on": "一次请假最长一年;更长的请停用该委员。"})
    Member.objects.select_for_update().filter(pk=member.pk).first()
    overlap = (
        MemberLeave.objects.filter(member=member, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            {
                "starts_on": f"与已登记的请假({overlap.starts_on:%Y-%m-%d} 至 "
                f"{overlap.ends_on:%Y-%m-%d})重叠。"
            }
        )
    return MemberLeave.objects.create(
        member=member,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_by=actor,
        area_id=scope_for(actor).area_id,  # None for an administrator
    )


def shifts_during_leave(leave: MemberLeave):
    """Shifts the member still holds inside the leave (staff reassign them on the rota grid)."""
    return (
        DutyShift.objects.filter(
            member_id=leave.member_id, date__range=(leave.starts_on, leave.ends_on)
        )
        .exclude(status__in=[ShiftStatus.DONE, ShiftStatus.MISSED])
        .select_related("venue")
        .order_by("date")
    )


def member_leave_remove(*, actor, leave: MemberLeave) -> None:
    if not leave_policy.user_can(actor, "change", leave):
        raise PermissionDenied("只有登记该请假的政协办公室或其上级可以删除这条请假记录。")
    leave.delete()
