"""Writes for 社情民意 reports and 协商成果 (issue 15, parts 2 and 3).

Each function checks the actor against the model's policy, locks the row it changes, validates
and writes; a refusal is a ``ValidationError`` in Chinese naming the field, and nothing is
stored. The authors' ``Duty`` rows are kept in step with the report here, in the code of each
write (``_sync_duties``), so the member's points and 五个一 read them (see ``proposals.points``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from consult_portal.roles import scope_for
from members.models import Duty, DutyKind, DutyStatus, Member
from platforms.models import Area
from topics.models import Consultation, Department, Topic

from .models import (
    ACCEPTED_STATUSES,
    Instruction,
    Level,
    Outcome,
    OutcomeItem,
    PublicOpinionReport,
    Recipient,
    ReportAdoption,
    ReportAuthor,
    ReportStatus,
)
from .permissions import outcome_policy, report_policy

# --- 社情民意 ------------------------------------------------------------------------------


def submitting_member(user) -> Member | None:
    """The active member record of a member account that may submit reports."""
    if not report_policy.user_can(user, "submit"):
        return None
    return Member.objects.filter(pk=scope_for(user).member_id, is_active=True).first()


def _check_signers(area: Area, signers: list[Member]) -> None:
    if len({m.pk for m in signers}) != len(signers):
        raise ValidationError({"cosigners": "同一位委员不能重复署名。"})
    for member in signers:
        if member.area_id != area.pk:
            raise ValidationError(
                {"cosigners": f"{member.name}不是本级政协委员,不能联名报送本级社情民意。"}
            )


def _add_authors(report: PublicOpinionReport, members: list[Member]) -> None:
    ReportAuthor.objects.bulk_create(
        ReportAuthor(report=report, member=member, position=index)
        for index, member in enumerate(members, start=1)
    )


@transaction.atomic
def report_submit(
    *,
    actor,
    member: Member,
    title: str,
    body: str,
    category: str = "",
    cosigners: list[Member] | tuple = (),
) -> PublicOpinionReport:
    """A member submits a report (with co-signers of the same committee, 联名): 待编辑."""
    if submitting_member(actor) != member:
        raise PermissionDenied("只能以本人名义报送社情民意。")
    signers = [member, *cosigners]
    _check_signers(member.area, signers)
    report = PublicOpinionReport(
        area=member.area,
        title=title,
        body=body,
        category=category,
        submitted_on=timezone.localdate(),
        submitted_by=actor,
    )
    report.full_clean()
    report._history_user = actor
    report.save()
    _add_authors(report, signers)
    return report


@transaction.atomic
def report_enter(
    *,
    actor,
    area: Area,
    title: str,
    body: str,
    submitted_on: datetime.date,
    category: str = "",
    authors: list[Member] | tuple = (),
) -> PublicOpinionReport:
    """The office enters a report: written by members (in signing order) or, with no author,
    by the office itself."""
    if not report_policy.user_can_at(actor, "change", area):
        raise PermissionDenied("只能登记本级及下级政协的社情民意。")
    if submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": "提交日期不能晚于今天。"})
    authors = list(authors)
    if authors:
        try:
            _check_signers(area, authors)
        except ValidationError as error:
            raise ValidationError({"authors": error.message_dict["cosigners"]}) from None
    report = PublicOpinionReport(
        area=area,
        title=title,
        body=body,
        category=category,
        submitted_on=submitted_on,
        submitted_by=actor,
    )
    report.full_clean()
    report._history_user = actor
    report.save()
    _add_authors(report, authors)
    return report


def _lock_report(actor, report: PublicOpinionReport) -> PublicOpinionReport:
    locked = (
        PublicOpinionReport.objects.select_for_update(of=("self",))
        .select_related("area")
        .get(pk=report.pk)
    )
    if not report_policy.user_can(actor, "change", locked):
        raise PermissionDenied("只有本级政协办公室可以处理这条社情民意。")
    return locked


def _sync_duties(report: PublicOpinionReport, actor) -> None:
    """One 社情民意 duty per author while the office has the report taken in (编期 / 报送): 已完成
    on the report's date; 已取消 otherwise. No outcome on it: adoption bonuses are read from the
    level records (``proposals.points``)."""
    counts = report.status in ACCEPTED_STATUSES
    status = DutyStatus.DONE if counts else DutyStatus.CANCELLED
    note = f"《社情民意》{report.issue_label}" if report.issue_label else "社情民意"
    for author in ReportAuthor.objects.filter(report=report).select_related("duty"):
        duty = author.duty
        if duty is None:
            if not counts:
                continue
            duty = Duty(
                member_id=author.member_id,
                kind=DutyKind.OPINION,
                date=report.submitted_on,
                title=report.title[:200],
                status=status,
                note=note,
            )
            duty._history_user = actor
            duty.save()
            author.duty = duty
            author.save(update_fields=["duty"])
        else:
            duty.status, duty.title, duty.date, duty.note = (
                status,
                report.title[:200],
                report.submitted_on,
                note,
            )
            duty._history_user = actor
            duty.save(update_fields=["status", "title", "date", "note"])


@transaction.atomic
def report_set_issue(
    *, actor, report: PublicOpinionReport, issue_year: int, issue_number: int
) -> PublicOpinionReport:
    """编期: put the report into issue ``issue_number`` of the year's 《社情民意》. A number the
    committee already used that year is refused."""
    locked = _lock_report(actor, report)
    if locked.status == ReportStatus.REJECTED:
        raise ValidationError("这条社情民意已不予编发,不能编期。")
    if not 1 <= issue_number <= 999:
        raise ValidationError({"issue_number": "期号应为 1 至 999 之间的整数。"})
    taken = (
        PublicOpinionReport.objects.filter(
            area_id=locked.area_id, issue_year=issue_year, issue_number=issue_number
        )
        .exclude(pk=locked.pk)
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "issue_number": f"{issue_year}年第{issue_number}期已编发《{taken.title}》,"
                "请换一个期号。"
            }
        )
    locked.issue_year, locked.issue_number = issue_year, issue_number
    if locked.status == ReportStatus.SUBMITTED:
        locked.status = ReportStatus.EDITED
    locked._history_user = actor
    try:
        with transaction.atomic():
            locked.save(update_fields=["issue_year", "issue_number", "status"])
    except IntegrityError:  # the same number saved by someone else a moment ago
        raise ValidationError(
            {"issue_number": f"{issue_year}年第{issue_number}期刚被占用,请换一个期号。"}
        ) from None
    _sync_duties(locked, actor)
    return locked


@transaction.atomic
def report_send(
    *, actor, report: PublicOpinionReport, sent_on: datetime.date, sent_to: str
) -> PublicOpinionReport:
    """报送 the edited report to the levels above."""
    locked = _lock_report(actor, report)
    if locked.issue_number is None:
        raise ValidationError("请先编入一期《社情民意》再报送。")
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "报送日期不能晚于今天。"})
    if sent_on < locked.submitted_on:
        raise ValidationError({"sent_on": "报送日期不能早于提交日期。"})
    first_adoption = locked.adoptions.order_by("adopted_on").first()
    first_instruction = locked.instructions.order_by("given_on").first()
    for record, label in ((first_adoption, "采用"), (first_instruction, "批示")):
        day = getattr(record, "adopted_on", None) or getattr(record, "given_on", None)
        if day is not None and sent_on > day:
            raise ValidationError({"sent_on": f"报送日期不能晚于已登记的{label}日期({day})。"})
    locked.sent_on, locked.sent_to, locked.status = sent_on, sent_to, ReportStatus.SENT
    locked._history_user = actor
    locked.save(update_fields=["sent_on", "sent_to", "status"])
    _sync_duties(locked, actor)
    return locked


@transaction.atomic
def report_reject(*, actor, report: PublicOpinionReport, reason: str) -> PublicOpinionReport:
    """不予编发 (with the reason the authors read); only a report not yet sent."""
    locked = _lock_report(actor, report)
    if locked.status == ReportStatus.SENT:
        raise ValidationError("已报送的社情民意不能再改为不予编发。")
    if not reason.strip():
        raise ValidationError({"reason": "请写明不予编发的理由。"})
    locked.status, locked.reject_reason = ReportStatus.REJECTED, reason.strip()
    locked.issue_year = locked.issue_number = None
    locked._history_user = actor
    locked.save(update_fields=["status", "reject_reason", "issue_year", "issue_number"])
    _sync_duties(locked, actor)
    return locked


def _check_after_sent(report: PublicOpinionReport, day: datetime.date, field: str, what: str):
    if report.sent_on is None:
        raise ValidationError(f"这条社情民意尚未报送,不能登记{what}。")
    if day < report.sent_on:
        raise ValidationError(
            {field: f"{what}日期不能早于报送日期({report.sent_on:%Y年%-m月%-d日})。"}
        )
    if day > timezone.localdate():
        raise ValidationError({field: f"{what}日期不能晚于今天。"})


@transaction.atomic
def report_adopt(
    *,
    actor,
    report: PublicOpinionReport,
    level: str,
    adopted_on: datetime.date,
    adopted_by: str = "",
    note: str = "",
) -> ReportAdoption:
    """采用 at one level; each level once."""
    locked = _lock_report(actor, report)
    _check_after_sent(locked, adopted_on, "adopted_on", "采用")
    if level not in Level.values:
        raise ValidationError({"level": "请选择采用层级。"})
    if locked.adoptions.filter(level=level).exists():
        raise ValidationError({"level": f"已登记{Level(level).label}采用,不能重复登记。"})
    adoption = ReportAdoption(
        report=locked,
        level=level,
        adopted_on=adopted_on,
        adopted_by=adopted_by,
        note=note,
        created_by=actor,
    )
    adoption._history_user = actor
    adoption.save()
    return adoption


@transaction.atomic
def report_instruction_add(
    *,
    actor,
    report: PublicOpinionReport,
    leader: str,
    level: str,
    given_on: datetime.date,
    text: str,
) -> Instruction:
    """A leader's 批示 on a sent report; one dated before the report was sent is refused."""
    locked = _lock_report(actor, report)
    _check_after_sent(locked, given_on, "given_on", "批示")
    instruction = Instruction(
        report=locked, leader=leader, level=level, given_on=given_on, text=text, created_by=actor
    )
    instruction.full_clean()
    instruction._history_user = actor
    instruction.save()
    return instruction


# --- 协商成果 ------------------------------------------------------------------------------


def _check_sources(area: Area, consultations, topics) -> None:
    for session in consultations:
        if not session.venue.area.path.startswith(area.path):
            raise ValidationError({"consultations": f"“{session}”不是本级政协范围内的协商活动。"})
    for topic in topics:
        if not topic.area.path.startswith(area.path):
            raise ValidationError({"topics": f"“{topic}”不是本级政协范围内的议题。"})


@transaction.atomic
def outcome_create(
    *,
    actor,
    area: Area,
    kind: str,
    title: str,
    date: datetime.date,
    recipient: str,
    recipient_unit: Department | None = None,
    sent_on: datetime.date | None = None,
    summary: str = "",
    file=None,
    consultations: list[Consultation] | tuple = (),
    topics: list[Topic] | tuple = (),
) -> Outcome:
    if not outcome_policy.user_can_at(actor, "change", area):
        raise PermissionDenied("只能登记本级及下级政协的协商成果。")
    if recipient == Recipient.UNIT and recipient_unit is None:
        raise ValidationError({"recipient_unit": "报送对象为承办单位时,请选择单位。"})
    if recipient != Recipient.UNIT:
        recipient_unit = None
    if sent_on is not None and sent_on < date:
        raise ValidationError({"sent_on": "报送日期不能早于成文日期。"})
    if not consultations and not topics:
        raise ValidationError("请至少选择一个来源协商活动或议题。")
    _check_sources(area, consultations, topics)
    outcome = Outcome(
        area=area,
        kind=kind,
        title=title,
        date=date,
        recipient=recipient,
        recipient_unit=recipient_unit,
        sent_on=sent_on,
        summary=summary,
        created_by=actor,
    )
    if file:
        outcome.file = file
    outcome.full_clean()
    outcome._history_user = actor
    outcome.save()
    outcome.consultations.set(consultations)
    outcome.topics.set(topics)
    return outcome


def _lock_outcome(actor, outcome: Outcome) -> Outcome:
    locked = (
        Outcome.objects.select_for_update(of=("self",)).select_related("area").get(pk=outcome.pk)
    )
    if not outcome_policy.user_can(actor, "change", locked):
        raise PermissionDenied("只有本级政协办公室可以处理这份协商成果。")
    return locked


@transaction.atomic
def outcome_instruction_add(
    *, actor, outcome: Outcome, leader: str, level: str, given_on: datetime.date, text: str
) -> Instruction:
    locked = _lock_outcome(actor, outcome)
    sent = locked.sent_on or locked.date
    if given_on < sent:
        raise ValidationError({"given_on": f"批示日期不能早于报送日期({sent:%Y年%-m月%-d日})。"})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": "批示日期不能晚于今天。"})
    instruction = Instruction(
        outcome=locked, leader=leader, level=level, given_on=given_on, text=text, created_by=actor
    )
    instruction.full_clean()
    instruction._history_user = actor
    instruction.save()
    return instruction


@transaction.atomic
def outcome_item_add(
    *, actor, outcome: Outcome, text: str, unit: Department, due_on: datetime.date
) -> OutcomeItem:
    """采纳事项: a point taken up, the unit responsible (one the office can see) and a deadline."""
    locked = _lock_outcome(actor, outcome)
    if not Department.objects.visible_to(actor).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": "请选择本级范围内的责任单位。"})
    if due_on < locked.date:
        raise ValidationError({"due_on": "完成时限不能早于成果成文日期。"})
    item = OutcomeItem(outcome=locked, text=text, unit=unit, due_on=due_on)
    item.full_clean()
    item._history_user = actor
    item.save()
    return item


@transaction.atomic
def outcome_item_follow_up(
    *, actor, item: OutcomeItem, progress: str, done_on: datetime.date | None
) -> OutcomeItem:
    """落实情况: the follow-up text, and the day it was done (empty while still under way)."""
    locked = OutcomeItem.objects.select_for_update().select_related("outcome").get(pk=item.pk)
    _lock_outcome(actor, locked.outcome)
    if not progress.strip():
        raise ValidationError({"progress": "请填写落实情况。"})
    if done_on is not None:
        if done_on > timezone.localdate():
            raise ValidationError({"done_on": "落实日期不能晚于今天。"})
        if done_on < locked.outcome.date:
            raise ValidationError({"done_on": "落实日期不能早于成果成文日期。"})
    locked.progress, locked.done_on = progress.strip(), done_on
    locked._history_user = actor
    locked.save(update_fields=["progress", "done_on"])
    return locked
