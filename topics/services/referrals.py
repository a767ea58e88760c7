"""The referral sub-flow (交办之后): what a unit (承办单位) does with a referral, and how the office
answers it. Each function follows the pattern of ``topic_actions``: one transaction, the topic
row locked first and then the referral's, the actor checked, one timeline event per step;
moves of the topic's state go through ``topic_transition`` (``lifecycle`` owns them).

The unit's steps — 签收, 退回, 申请延期, 答复 — are taken by the unit's own accounts, or by office
staff entering them for a unit without a login (``permissions.can_act_for_unit``); the office
staff of the topic's area are mailed on each, once, after the commit
(``events.referral_unit_acted``). The office's steps — 审核延期, and the review of the 主办's
reply: 继续办理 (B) or 退回重办 (办结 is ``topic_actions.topic_resolve``) — are staff's only.

- 签收 (sign): the 主办's signature starts 办理 (交办 → 办理中); a 协办's is recorded only.
- 退回 (return) with a reason, before signing: the referral closes (``returned_on``) and the
  office refers the topic again (``topic_refer`` accepts a 交办 topic whose 主办 returned it).
- 申请延期 (ask for more time) with a reason and a later date, at most a year from today; one
  request open at a time. Granted, the deadline moves and the first one is kept
  (``original_deadline``); refused, nothing moves.
- 答复 (reply) with the class A/B/C, text and attachments: the 主办's reply moves the topic to
  已答复 for the office's review. A reply entered for a referral not yet signed signs it too.
- 继续办理 (B, with the planned date) and 退回重办 (with a reason) send the topic back to 办理中
  and reopen the 主办's referral for a new reply (the earlier one stays on the timeline).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import events, lifecycle
from ..lifecycle import TopicStatus
from ..models import (
    EventKind,
    ExtensionDecision,
    Referral,
    ReferralAttachment,
    ReferralExtension,
    ReferralRole,
    ReplyClass,
    Topic,
    TopicEvent,
)
from ..permissions import can_act_for_unit, can_move_topic
from .transitions import TransitionError, topic_transition

__all__ = [
    "EXTENSION_MAX_DAYS",
    "extension_decide",
    "referral_reply",
    "referral_request_extension",
    "referral_return",
    "referral_sign",
    "topic_review_continue",
    "topic_review_return",
]

EXTENSION_MAX_DAYS = 366  # a new deadline at most a year from today


def _lock_referral(*, actor, referral: Referral) -> tuple[Topic, Referral]:
    """Check the actor may act for the unit; lock the topic, then the referral (always in this
    order, as every topic write does, so two writers cannot deadlock)."""
    if not can_act_for_unit(actor, referral):
        raise PermissionDenied("您没有权限办理该交办事项。")
    topic = Topic.objects.select_for_update().get(pk=referral.topic_id)
    row = (
        Referral.objects.select_for_update()
        .select_related("department")
        .get(pk=referral.pk, topic_id=topic.pk)
    )
    return topic, row


def _who(row: Referral) -> str:
    return f"{row.department.name}({row.get_role_display()})"


def _refuse_closed(row: Referral, doing: str) -> None:
    """A returned or answered referral takes no more unit steps."""
    if row.returned_on:
        raise ValidationError(
            "该交办已于%(day)s退回,不能%(doing)s。",
            code="returned",
            params={"day": row.returned_on.isoformat(), "doing": doing},
        )
    if row.replied_on:
        raise ValidationError(
            "该交办已于%(day)s答复,不能%(doing)s。",
            code="replied",
            params={"day": row.replied_on.isoformat(), "doing": doing},
        )


def _unit_event(*, actor, topic: Topic, kind: str, note: str) -> TopicEvent:
    event = TopicEvent.objects.create(topic=topic, kind=kind, actor=actor, note=note)
    events.referral_unit_acted.send(sender=Referral, event=event, actor=actor)
    return event


def _move(*, actor, topic: Topic, to: str, kind: str, note: str, move=None) -> TopicEvent:
    event = topic_transition(
        topic=topic,
        actor=actor,
        to=to,
        note=note,
        expected_from=topic.status,
        move=move,
        actor_checked=True,
    )
    event.kind = kind
    event.save(update_fields=["kind"])
    return event


def _sync(target, source, fields) -> None:
    for field in fields:
        setattr(target, field, getattr(source, field))


def _sign(*, actor, topic: Topic, row: Referral, today: datetime.date) -> TopicEvent | None:
    """Record the signature; the 主办's moves a 交办 topic to 办理中 (returns that event)."""
    row.signed_on = today
    row.save(update_fields=["signed_on"])
    if row.role == ReferralRole.LEAD and topic.status == TopicStatus.REFERRED:
        return _move(
            actor=actor,
            topic=topic,
            to=TopicStatus.IN_PROGRESS,
            kind=EventKind.SIGN,
            note=f"{_who(row)}签收,开始办理。",
        )
    return None


@transaction.atomic
def referral_sign(*, actor, referral: Referral) -> TopicEvent:
    """签收. Two accounts of a unit signing at once: the second waits on the row lock, then finds
    the referral signed and is refused in Chinese."""
    topic, row = _lock_referral(actor=actor, referral=referral)
    _refuse_closed(row, "签收")
    if row.signed_on:
        raise ValidationError(
            "该交办已于%(day)s签收,不能重复签收。",
            code="already_signed",
            params={"day": row.signed_on.isoformat()},
        )
    if topic.status not in (TopicStatus.REFERRED, TopicStatus.IN_PROGRESS):
        raise TransitionError(
            "议题当前为“%(current)s”,不能签收。",
            code="not_allowed",
            params={"current": lifecycle.label(topic.status)},
        )
    event = _sign(actor=actor, topic=topic, row=row, today=timezone.localdate())
    if event is not None:
        events.referral_unit_acted.send(sender=Referral, event=event, actor=actor)
    else:
        event = _unit_event(
            actor=actor, topic=topic, kind=EventKind.SIGN, note=f"{_who(row)}签收。"
        )
    _sync(referral, row, ["signed_on"])
    return event


@transaction.atomic
def referral_return(*, actor, referral: Referral, reason: str) -> TopicEvent:
    """退回 with a reason, before signing: the referral is closed; the office refers again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因。"}, code="required")
    topic, row = _lock_referral(actor=actor, referral=referral)
    _refuse_closed(row, "退回")
    if row.signed_on:
        raise ValidationError(
            "该交办已于%(day)s签收,签收后不能退回;如需延长期限请申请延期。",
            code="signed",
            params={"day": row.signed_on.isoformat()},
        )
    row.returned_on = timezone.localdate()
    row.return_reason = reason
    row.save(update_fields=["returned_on", "return_reason"])
    _sync(referral, row, ["returned_on", "return_reason"])
    return _unit_event(
        actor=actor,
        topic=topic,
        kind=EventKind.RETURN,
        note=f"{_who(row)}退回交办,原因:{reason}",
    )


@transaction.atomic
def referral_request_extension(
    *, actor, referral: Referral, reason: str, new_deadline: datetime.date | None
) -> ReferralExtension:
    """申请延期: a reason and a later date, at most a year from today; one request at a time."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请填写延期理由。"
    if new_deadline is None:
        errors["new_deadline"] = "请填写申请延至的日期。"
    if errors:
        raise ValidationError(errors, code="required")
    topic, row = _lock_referral(actor=actor, referral=referral)
    _refuse_closed(row, "申请延期")
    today = timezone.localdate()
    if new_deadline <= row.deadline:
        raise ValidationError(
            {"new_deadline": "申请延至的日期应晚于现办理期限(%(day)s)。"},
            code="not_later",
            params={"day": row.deadline.isoformat()},
        )
    if new_deadline > today + datetime.timedelta(days=EXTENSION_MAX_DAYS):
        raise ValidationError(
            {"new_deadline": "延期不能超过一年(最晚%(day)s)。"},
            code="too_long",
            params={"day": (today + datetime.timedelta(days=EXTENSION_MAX_DAYS)).isoformat()},
        )
    if row.extensions.filter(decision=ExtensionDecision.PENDING).exists():
        raise ValidationError("已有一项延期申请等待审核,请等待办公室答复。", code="pending")
    extension = ReferralExtension.objects.create(
        referral=row,
        reason=reason,
        old_deadline=row.deadline,
        new_deadline=new_deadline,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _unit_event(
        actor=actor,
        topic=topic,
        kind=EventKind.EXTENSION,
        note=(
            f"{_who(row)}申请延期:办理期限由{row.deadline.isoformat()}延至"
            f"{new_deadline.isoformat()},理由:{reason}"
        ),
    )
    return extension


@transaction.atomic
def extension_decide(
    *, actor, extension: ReferralExtension, grant: bool, note: str = ""
) -> TopicEvent:
    """The office grants or refuses a request. Granted: the deadline moves, the first deadline
    is kept in ``original_deadline`` and both dates stay on the request."""
    referral = extension.referral
    if not can_move_topic(actor, referral.topic):
        raise PermissionDenied("您没有权限审核该延期申请。")
    topic = Topic.objects.select_for_update().get(pk=referral.topic_id)
    row = Referral.objects.select_for_update().select_related("department").get(pk=referral.pk)
    ext = ReferralExtension.objects.select_for_update().get(pk=extension.pk)
    if ext.decision != ExtensionDecision.PENDING:
        raise ValidationError(
            "该延期申请已审核(%(decision)s)。",
            code="decided",
            params={"decision": ext.get_decision_display()},
        )
    note = (note or "").strip()
    if not grant and not note:
        raise ValidationError({"note": "不同意延期时请填写理由。"}, code="required")
    ext.decision = ExtensionDecision.GRANTED if grant else ExtensionDecision.REFUSED
    ext.decided_by = actor
    ext.decided_at = timezone.now()
    ext.decision_note = note
    ext.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if grant:
        row.original_deadline = row.original_deadline or row.deadline
        row.deadline = ext.new_deadline
        row.save(update_fields=["original_deadline", "deadline"])
        text = (
            f"同意{_who(row)}延期:办理期限由{ext.old_deadline.isoformat()}延至"
            f"{ext.new_deadline.isoformat()}。"
        )
    else:
        text = f"不同意{_who(row)}延期,办理期限仍为{row.deadline.isoformat()}。"
    _sync(extension, ext, ["decision", "decided_by", "decided_at", "decision_note"])
    return TopicEvent.objects.create(
        topic=topic,
        kind=EventKind.EXTENSION_DECISION,
        actor=actor,
        note=f"{text}{note}",
    )


@transaction.atomic
def referral_reply(
    *,
    actor,
    referral: Referral,
    reply_class: str,
    reply: str,
    attachments: Sequence[tuple[object, str]] = (),
    replied_on: datetime.date | None = None,
) -> TopicEvent:
    """答复 with the class A/B/C, text and attachments (``(upload, MIME type)`` pairs whose type
    was read from the content, as the session form does). The 主办's reply moves the topic to
    已答复; a 协办's is recorded. Nothing is stored when anything is missing."""
    from .sessions import attachment_store  # the same storage rules as session attachments

    reply = (reply or "").strip()
    errors = {}
    if reply_class not in ReplyClass.values:
        errors["reply_class"] = "请选择答复类别(A 已解决 / B 正在解决 / C 暂不能解决)。"
    if not reply:
        errors["reply"] = "请填写答复内容。"
    if errors:
        raise ValidationError(errors, code="required")
    topic, row = _lock_referral(actor=actor, referral=referral)
    _refuse_closed(row, "答复")
    if topic.status not in (TopicStatus.REFERRED, TopicStatus.IN_PROGRESS):
        raise TransitionError(
            "议题当前为“%(current)s”,不能记录单位答复。",
            code="not_allowed",
            params={"current": lifecycle.label(topic.status)},
        )
    today = timezone.localdate()
    replied_on = replied_on or today
    if replied_on > today:
        raise ValidationError({"replied_on": "日期不能晚于今天。"}, code="future")
    if replied_on < row.referred_on:
        raise ValidationError(
            {"replied_on": "日期不能早于交办日期(%(day)s)。"},
            code="too_early",
            params={"day": row.referred_on.isoformat()},
        )
    if not row.signed_on:  # entered for a unit that never signed: the reply signs it too
        _sign(actor=actor, topic=topic, row=row, today=replied_on)
    row.reply = reply
    row.reply_class = reply_class
    row.replied_on = replied_on
    row.save(update_fields=["reply", "reply_class", "replied_on"])
    for upload, mime in attachments:
        attachment = ReferralAttachment(referral=row)
        attachment_store(attachment=attachment, upload=upload, mime=mime, actor=actor)
        attachment.save()
    _sync(referral, row, ["reply", "reply_class", "replied_on", "signed_on"])

    label = ReplyClass(reply_class).label
    files = f"(附件{len(attachments)}个)" if attachments else ""
    note = f"{_who(row)}答复【{label}】:{reply}{files}"
    if row.role == ReferralRole.LEAD and lifecycle.is_allowed(topic.status, TopicStatus.REPLIED):
        event = _move(
            actor=actor, topic=topic, to=TopicStatus.REPLIED, kind=EventKind.REPLY, note=note
        )
        events.referral_unit_acted.send(sender=Referral, event=event, actor=actor)
        return event
    return _unit_event(actor=actor, topic=topic, kind=EventKind.REPLY, note=note)


def _lead_replied(topic: Topic) -> Referral:
    row = (
        Referral.objects.select_for_update()
        .select_related("department")
        .filter(topic=topic, role=ReferralRole.LEAD, returned_on__isnull=True)
        .first()
    )
    if row is None or row.replied_on is None:
        raise ValidationError("主办单位尚未答复,不能审核。", code="no_reply")
    return row


def _review(*, actor, topic: Topic, expected_from: str | None, doing: str) -> Topic:
    if not can_move_topic(actor, topic):
        raise PermissionDenied("您没有权限办理该议题。")
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    if expected_from and locked.status != expected_from:
        raise TransitionError(
            "议题状态已被他人更新为“%(current)s”,请刷新页面后再操作。",
            code="stale",
            params={"current": lifecycle.label(locked.status)},
        )
    if locked.status != TopicStatus.REPLIED:
        raise TransitionError(
            "议题当前为“%(current)s”,不能%(doing)s。",
            code="not_allowed",
            params={"current": lifecycle.label(locked.status), "doing": doing},
        )
    return locked


def _reopen(row: Referral) -> None:
    """The 主办 owes a new reply (the earlier one stays on the timeline)."""
    row.replied_on = None
    row.reply = ""
    row.reply_class = ""


@transaction.atomic
def topic_review_continue(
    *,
    actor,
    topic: Topic,
    planned_on: datetime.date | None,
    note: str = "",
    expected_from: str | None = None,
) -> TopicEvent:
    """继续办理: a B-class reply (正在解决·列入计划) the office lets continue until the planned
    date, which becomes the 主办's deadline (the first one kept)."""
    locked = _review(actor=actor, topic=topic, expected_from=expected_from, doing="继续办理")
    row = _lead_replied(locked)
    if row.reply_class != ReplyClass.B:
        raise ValidationError(
            "只有 B 类答复(正在解决·列入计划)可以继续办理;A 类请办结,C 类请办结并说明。",
            code="not_b",
        )
    today = timezone.localdate()
    if planned_on is None:
        raise ValidationError({"planned_on": "请填写计划完成日期。"}, code="required")
    if planned_on < today:
        raise ValidationError({"planned_on": "计划完成日期不能早于今天。"}, code="past")
    if planned_on > today + datetime.timedelta(days=EXTENSION_MAX_DAYS):
        raise ValidationError({"planned_on": "计划完成日期不能超过一年。"}, code="too_long")
    _reopen(row)
    row.planned_on = planned_on
    if planned_on > row.deadline:
        row.original_deadline = row.original_deadline or row.deadline
        row.deadline = planned_on
    row.save(
        update_fields=[
            "replied_on",
            "reply",
            "reply_class",
            "planned_on",
            "original_deadline",
            "deadline",
        ]
    )
    note = (note or "").strip()
    text = f"B 类答复,继续办理,计划{planned_on.isoformat()}前完成。{note}"
    event = _move(
        actor=actor,
        topic=locked,
        to=TopicStatus.IN_PROGRESS,
        kind=EventKind.REVIEW,
        note=text,
        move="continue",
    )
    _sync(topic, locked, ["status", "updated_at"])
    return event


@transaction.atomic
def topic_review_return(
    *, actor, topic: Topic, reason: str, expected_from: str | None = None
) -> TopicEvent:
    """退回重办: the office sends the 主办's reply back with a reason; the topic is 办理中 again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回重办的原因。"}, code="required")
    locked = _review(actor=actor, topic=topic, expected_from=expected_from, doing="退回重办")
    row = _lead_replied(locked)
    _reopen(row)
    row.save(update_fields=["replied_on", "reply", "reply_class"])
    event = _move(
        actor=actor,
        topic=locked,
        to=TopicStatus.IN_PROGRESS,
        kind=EventKind.REVIEW,
        note=f"退回{_who(row)}重办,原因:{reason}",
        move="redo",
    )
    _sync(topic, locked, ["status", "updated_at"])
    return event
