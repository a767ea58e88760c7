"""Writes for duties (履职记录) and the yearly point rules (issue 5, item 3).

Who records duties: office staff and administrators of the member's own committee (the staff who
may edit the member's file) record them directly. Members report their own (委员自报): a report
waits as 待审核 until that office confirms it (it becomes 已完成 and counts) or returns it with a
reason (已退回: the member corrects and resubmits it, or withdraws it). The records feed the
yearly assessment, so nothing a member types counts before the office has seen it.

Who edits the point rules and bands: administrators, and the office staff of the top committee
(an area without a parent). The rules and bands are one set per year for the whole portal, so a
district's office reads them but cannot change the scale its neighbours are ranked on.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from consult_portal.roles import scope_for
from platforms.models import Venue

from . import events
from .models import (
    Assignment,
    Duty,
    DutyKind,
    DutyOutcome,
    DutyStatus,
    Member,
    PointBand,
    PointKind,
    PointRule,
)
from .permissions import can_edit_member, can_edit_point_rules, duty_policy

# Which outcomes make sense for which kind of duty.
# Tuples in the order of ``DutyOutcome``'s choices, so the error message lists them in that order.
OUTCOMES_BY_KIND = {
    DutyKind.PROPOSAL: (DutyOutcome.FILED, DutyOutcome.NOT_FILED, DutyOutcome.ANSWERED),
    DutyKind.OPINION: (
        DutyOutcome.NOT_ADOPTED,
        DutyOutcome.ADOPTED_DISTRICT,
        DutyOutcome.ADOPTED_CITY,
        DutyOutcome.ADOPTED_PROVINCE,
        DutyOutcome.ADOPTED_NATIONAL,
    ),
}


def can_record_duty(user, member: Member) -> bool:
    return can_edit_member(user, member)


def check_outcome(kind: str, outcome: str) -> None:
    if outcome and outcome not in OUTCOMES_BY_KIND.get(kind, ()):
        allowed = "、".join(o.label for o in OUTCOMES_BY_KIND.get(kind, ()))
        message = (
            f"{DutyKind(kind).label}只能选择:{allowed}。"
            if allowed
            else (f"{DutyKind(kind).label}没有结果可选,请留空。")
        )
        raise ValidationError({"outcome": message})


def check_done_date(status: str, date: datetime.date) -> None:
    """A duty cannot be 已完成 on a day still to come; a future one is 计划中."""
    if status == DutyStatus.DONE and date > timezone.localdate():
        raise ValidationError({"date": "已完成的履职日期不能晚于今天;尚未进行的请选“计划中”。"})


@transaction.atomic
def duty_record(
    *,
    actor,
    member: Member,
    kind: str,
    date: datetime.date,
    title: str,
    status: str = DutyStatus.DONE,
    outcome: str = "",
    note: str = "",
) -> Duty:
    locked = Member.objects.select_for_update().select_related("area").get(pk=member.pk)
    if not can_record_duty(actor, locked):
        raise PermissionDenied("只有委员所属政协的办公室可以登记履职。")
    check_outcome(kind, outcome)
    check_done_date(status, date)
    duty = Duty(
        member=locked,
        kind=kind,
        date=date,
        title=title,
        status=status,
        outcome=outcome,
        note=note,
    )
    duty.full_clean()
    duty._history_user = actor
    duty.save()
    return duty


DUTY_FIELDS = ("kind", "date", "title", "status", "outcome", "note")


@transaction.atomic
def duty_update(*, actor, duty: Duty, expected_version: str = "", **fields) -> Duty:
    """Staff correct a duty; django-simple-history keeps the version before (who, when).

    Saving a member's report 待审核 / 已退回 confirms it (已完成): ``expected_version`` is
    the report as staff saw it, so a change the member made meanwhile is not confirmed unseen."""
    locked = Duty.objects.select_for_update().select_related("member__area").get(pk=duty.pk)
    if not can_record_duty(actor, locked.member):
        raise PermissionDenied("只有委员所属政协的办公室可以修改履职记录。")
    unknown = set(fields) - set(DUTY_FIELDS)
    if unknown:
        raise ValueError(f"unknown duty fields: {sorted(unknown)}")
    reviewing = locked.status in MEMBER_EDITABLE
    if reviewing:
        check_version(locked, expected_version)
        if fields.get("status", DutyStatus.DONE) != DutyStatus.DONE:
            raise ValidationError(
                {
                    "status": "委员自报的记录在这里只能认定为“已完成”;"
                    "不予认定请在履职审核页退回并写明原因。"
                }
            )
    for name, value in fields.items():
        setattr(locked, name, value)
    check_outcome(locked.kind, locked.outcome)
    check_done_date(locked.status, locked.date)
    update = list(fields)
    confirmed = reviewing and locked.status == DutyStatus.DONE
    if confirmed:
        _review_done(locked, actor)
        locked.review_note = ""  # a reason it was once returned for no longer applies
        update += ["reviewed_by", "reviewed_at", "review_note"]
    locked.full_clean()
    locked._history_user = actor
    locked.save(update_fields=update)
    if confirmed:
        events.duty_reviewed.send(sender=Duty, duty=locked, actor=actor)
    return locked


@transaction.atomic
def duty_delete(*, actor, duty: Duty) -> None:
    locked = Duty.objects.select_for_update().select_related("member__area").get(pk=duty.pk)
    if not can_record_duty(actor, locked.member):
        raise PermissionDenied("只有委员所属政协的办公室可以删除履职记录。")
    locked._history_user = actor
    locked.delete()


def _review_done(duty: Duty, actor) -> None:
    """Staff who set a member's report to 已完成 by editing it have confirmed it."""
    duty.reviewed_by = actor
    duty.reviewed_at = timezone.now()


# --- Self-reported duties (委员自报) and their review -------------------------------------------


def report_version(duty: Duty) -> str:
    """A fingerprint of what the member reported: staff confirm the version they saw."""
    values = [
        str(getattr(duty, f"{name}_id" if name == "venue" else name)) for name in REPORT_FIELDS
    ]
    return hashlib.sha1("\x1f".join(values).encode(), usedforsecurity=False).hexdigest()[:16]


def check_version(duty: Duty, expected: str) -> None:
    if expected and expected != report_version(duty):
        raise ValidationError("委员刚刚修改了这条履职记录,请核对修改后的内容再审核。", code="stale")


# Attendance at sessions and duty days come from the records by themselves, so a member reports
# only the other duties.
SELF_REPORT_KINDS = (
    DutyKind.PROPOSAL,
    DutyKind.OPINION,
    DutyKind.RESEARCH,
    DutyKind.DEED,
    DutyKind.OTHER,
)
# A member may still change or withdraw a report the office has not confirmed.
MEMBER_EDITABLE = (DutyStatus.SUBMITTED, DutyStatus.RETURNED)
REPORT_FIELDS = ("kind", "date", "title", "venue", "outcome", "note")


def reporting_member(user) -> Member | None:
    if not duty_policy.user_can(user, "report"):
        return None
    return Member.objects.filter(pk=scope_for(user).member_id, is_active=True).first()


def report_venues(member: Member):
    """The venues a member may name on a report: where they are assigned today."""
    current = Assignment.objects.current().filter(member=member, venue__isnull=False)
    return Venue.objects.filter(pk__in=current.values("venue_id")).order_by("name", "pk")


def _check_report(member: Member, fields: dict) -> None:
    errors = {}
    if fields["kind"] not in SELF_REPORT_KINDS:
        errors["kind"] = "出席协商活动和驻站值日由系统按记录统计,无需填报。"
    today = timezone.localdate()
    if fields["date"] > today:
        errors["date"] = "履职日期不能晚于今天。"
    elif fields["date"].year < today.year - 1:
        errors["date"] = "只能填报今年和去年的履职;更早的请联系政协办公室登记。"
    venue = fields.get("venue")
    if venue is not None and not report_venues(member).filter(pk=venue.pk).exists():
        errors["venue"] = "只能选择您当前下沉的阵地。"
    if errors:
        raise ValidationError(errors)
    check_outcome(fields["kind"], fields.get("outcome", ""))


@transaction.atomic
def duty_report(*, actor, **fields) -> Duty:
    """A member reports a duty of their own; it waits for the office as 待审核."""
    member = reporting_member(actor)
    if member is None:
        raise PermissionDenied("只有委员本人可以填报履职。")
    # Serialise one member's reports, so a double tap on 提交审核 files one.
    Member.objects.select_for_update().filter(pk=member.pk).first()
    _check_report(member, fields)
    waiting = Duty.objects.filter(
        member=member,
        status=DutyStatus.SUBMITTED,
        kind=fields["kind"],
        date=fields["date"],
        title=fields["title"],
    )
    if waiting.exists():
        raise ValidationError({"title": "这条履职已经提交,正在等待审核,无需重复提交。"})
    duty = Duty(member=member, status=DutyStatus.SUBMITTED, self_reported=True, **fields)
    duty.full_clean()
    duty._history_user = actor
    duty.save()
    return duty


def _own_report(actor, duty: Duty) -> Duty:
    member = reporting_member(actor)
    locked = Duty.objects.select_for_update().get(pk=duty.pk)
    if member is None or locked.member_id != member.pk:
        raise PermissionDenied("只能修改自己填报的履职。")
    if locked.status not in MEMBER_EDITABLE:
        raise ValidationError(
            f"这条履职记录{locked.get_status_display()},不能再修改;如有错误请联系政协办公室。"
        )
    locked.member = member
    return locked


@transaction.atomic
def duty_report_update(*, actor, duty: Duty, **fields) -> Duty:
    """The member corrects a report not yet confirmed; it goes back to the office as 待审核."""
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown report fields: {sorted(unknown)}")
    locked = _own_report(actor, duty)
    _check_report(locked.member, {**{f: getattr(locked, f) for f in REPORT_FIELDS}, **fields})
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.status = DutyStatus.SUBMITTED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = None, None, ""
    locked.full_clean()
    locked._history_user = actor
    locked.save()
    return locked


@transaction.atomic
def duty_report_withdraw(*, actor, duty: Duty) -> None:
    locked = _own_report(actor, duty)
    locked._history_user = actor
    locked.delete()


@transaction.atomic
def duty_review(
    *, actor, duty: Duty, approve: bool, note: str = "", expected_version: str = ""
) -> Duty:
    """The office confirms a member's report (it becomes 已完成 and counts) or returns it with a
    reason. Two staff reviewing at once: the row lock lets one through; the other is told."""
    locked = Duty.objects.select_for_update().select_related("member__area").get(pk=duty.pk)
    if not can_record_duty(actor, locked.member):
        raise PermissionDenied("只有委员所属政协的办公室可以审核履职。")
    if locked.status != DutyStatus.SUBMITTED:
        raise ValidationError(
            f"这条履职记录已是“{locked.get_status_display()}”,可能已被他人处理,请刷新页面。"
        )
    check_version(locked, expected_version)
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"review_note": "退回时请写明原因,委员会据此修改。"})
    locked.status = DutyStatus.DONE if approve else DutyStatus.RETURNED
    _review_done(locked, actor)
    locked.review_note = note
    locked.full_clean()
    locked._history_user = actor
    locked.save()
    events.duty_reviewed.send(sender=Duty, duty=locked, actor=actor)
    return locked


@transaction.atomic
def point_rules_save(*, actor, year: int, rules: dict[str, tuple[int, int | None]]) -> int:
    """Save the year's rules (kind → (points, cap)); returns how many rows changed."""
    if not can_edit_point_rules(actor):
        raise PermissionDenied("只有管理员或市政协办公室可以修改积分规则。")
    unknown = set(rules) - set(PointKind.values)
    if unknown:
        raise ValidationError(f"未知的积分项:{sorted(unknown)}")
    existing = {r.kind: r for r in PointRule.objects.select_for_update().filter(year=year)}
    changed = 0
    for kind, (points, cap) in rules.items():
        rule = existing.get(kind)
        if rule is None:
            rule = PointRule(year=year, kind=kind, points=points, cap=cap)
        elif (rule.points, rule.cap) == (points, cap):
            continue
        else:
            rule.points, rule.cap = points, cap
        rule.full_clean()
        rule._history_user = actor
        rule.save()
        changed += 1
    return changed


def check_bands(bands: list[tuple[int, str]]) -> None:
    """The rules every saved set of bands keeps (the form says the same next to each row)."""
    labels = [label for _, label in bands]
    lowests = [lowest for lowest, _ in bands]
    if any(not label.strip() for label in labels):
        raise ValidationError("等次名称不能为空。")
    if len(set(labels)) != len(labels):
        raise ValidationError("等次名称不能重复。")
    if len(set(lowests)) != len(lowests):
        raise ValidationError("等次的最低分不能重复。")
    if any(lowest < 0 for lowest in lowests):
        raise ValidationError("最低分不能小于 0。")
    if 0 not in lowests:
        raise ValidationError("必须有一个最低分为 0 的等次。")


@transaction.atomic
def point_bands_save(*, actor, year: int, bands: list[tuple[int, str]]) -> int:
    """Make the year's bands exactly ``bands`` ((lowest, label) pairs); returns how many bands
    were added or removed (a band whose label or lowest changed counts as one removed and one
    added: replacing rather than updating in place keeps the unique (year, lowest) and (year,
    label) constraints from tripping when two bands swap values; the history shows both)."""
    if not can_edit_point_rules(actor):
        raise PermissionDenied("只有管理员或市政协办公室可以修改考核等次。")
    check_bands(bands)
    existing = list(PointBand.objects.select_for_update().filter(year=year))
    wanted = set(bands)
    changed = 0
    for band in existing:
        if (band.lowest, band.label) in wanted:
            wanted.discard((band.lowest, band.label))
            continue
        band._history_user = actor
        band.delete()
        changed += 1
    for lowest, label in sorted(wanted, reverse=True):
        band = PointBand(year=year, label=label, lowest=lowest)
        band.full_clean()
        band._history_user = actor
        band.save()
        changed += 1
    return changed


@transaction.atomic
def point_year_save(
    *,
    actor,
    year: int,
    rules: dict[str, tuple[int, int | None]],
    bands: list[tuple[int, str]],
) -> tuple[int, int]:
    """Save the year's rules and bands together, or neither; returns (rules changed, bands
    changed). Two editors saving at once are serialised by a lock on the top committees' area
    rows (row locks on the year's rules cannot stop two first saves of a year)."""
    from platforms.models import Area

    list(Area.objects.select_for_update().filter(depth=1).order_by("pk").values_list("pk"))
    return (
        point_rules_save(actor=actor, year=year, rules=rules),
        point_bands_save(actor=actor, year=year, bands=bands),
    )
