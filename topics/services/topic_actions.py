"""What office staff do on a topic's page: refer, record a reply, resolve, rate, merge, comment.

Every function here follows one pattern (STYLE.md, "A state change, end to end"):
open a transaction, lock the topic row (``select_for_update``), check the actor may act and that
the topic is still in the state the actor saw (``expected_from``), validate, write, and add
exactly one timeline event per topic touched. Moves between states go through
``topic_transition`` so that ``lifecycle`` stays the only place that says which moves exist; the
event it writes is then labelled with the kind of action (交办, 部门答复, 群众评价 ...).

Two staff acting at once: the second one waits on the row lock, then finds the state changed and
gets a message in Chinese (``TransitionError``) instead of a second event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import events, lifecycle
from ..lifecycle import OPEN_STATES, TopicStatus
from ..models import Department, EventKind, Rating, Referral, ReferralRole, Topic, TopicEvent
from ..permissions import can_move_topic
from .transitions import TransitionError, topic_transition

__all__ = [
    "referral_default_deadline",
    "referral_record_reply",
    "topic_add_assisting",
    "topic_comment",
    "topic_merge",
    "topic_rate",
    "topic_refer",
    "topic_resolve",
]

NOT_ALLOWED = "议题当前为“%(current)s”,不能%(action)s。"


def referral_default_deadline(today: datetime.date | None = None) -> datetime.date:
    """Today plus ``settings.TOPIC_REFERRAL_DEFAULT_DAYS`` (30 unless the environment says)."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=settings.TOPIC_REFERRAL_DEFAULT_DAYS)


def _lock(*, actor, topic: Topic, expected_from: str | None) -> Topic:
    """Check the actor may act on ``topic``, lock its row and check nobody moved it meanwhile."""
    if not can_move_topic(actor, topic):
        raise PermissionDenied("您没有权限办理该议题。")
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    if expected_from and locked.status != expected_from:
        raise TransitionError(
            "议题状态已被他人更新为“%(current)s”,请刷新页面后再操作。",
            code="stale",
            params={"current": lifecycle.label(locked.status)},
        )
    return locked


def _refuse(current: str, action: str) -> TransitionError:
    return TransitionError(
        NOT_ALLOWED,
        code="not_allowed",
        params={"current": lifecycle.label(current), "action": action},
    )


def _move(*, actor, locked: Topic, to: str, kind: str, note: str, on=None) -> TopicEvent:
    """Apply a lifecycle move on the locked row and label its event with ``kind``."""
    event = topic_transition(
        topic=locked, actor=actor, to=to, note=note, expected_from=locked.status, on=on
    )
    if kind != event.kind:
        event.kind = kind
        event.save(update_fields=["kind"])
    return event


def _sync(topic: Topic, locked: Topic, fields: Iterable[str]) -> None:
    """Copy stored values back onto the caller's instance."""
    for field in fields:
        setattr(topic, field, getattr(locked, field))


def _check_day(value: datetime.date, *, field: str, not_before: datetime.date, before_label: str):
    today = timezone.localdate()
    if value > today:
        raise ValidationError({field: "日期不能晚于今天。"}, code="future")
    if value < not_before:
        raise ValidationError(
            {field: "日期不能早于%(label)s(%(day)s)。"},
            code="too_early",
            params={"label": before_label, "day": not_before.isoformat()},
        )


@transaction.atomic
def topic_refer(
    *,
    actor,
    topic: Topic,
    lead: Department,
    assisting: Iterable[Department] = (),
    deadline: datetime.date | None = None,
    note: str = "",
    expected_from: str | None = None,
) -> TopicEvent:
    """交办: hand the topic to one lead department and any number of assisting ones.

    Allowed where the lifecycle allows the move to "referred" (after 立项 or 共识). The deadline
    defaults to today + ``TOPIC_REFERRAL_DEFAULT_DAYS``; every department must be one the actor
    can see. Writes one REFERRAL event (from → 交办) that names the departments and the deadline.
    """
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    if not lifecycle.is_allowed(locked.status, TopicStatus.REFERRED):
        raise _refuse(locked.status, "交办")
    assisting = list(assisting or ())
    if len({d.pk for d in assisting}) != len(assisting):
        raise ValidationError({"assisting": "协办部门重复。"}, code="duplicate")
    if any(d.pk == lead.pk for d in assisting):
        raise ValidationError({"assisting": "主办部门不能同时作为协办部门。"}, code="lead_assist")
    wanted = {lead.pk, *(d.pk for d in assisting)}
    visible = set(
        Department.objects.visible_to(actor)
        .filter(pk__in=wanted, is_active=True)
        .values_list("pk", flat=True)
    )
    if visible != wanted:
        raise ValidationError({"lead": "只能交办本辖区在用的职能部门。"}, code="out_of_scope")
    today = timezone.localdate()
    deadline = deadline or referral_default_deadline(today)
    if deadline < today:
        raise ValidationError({"deadline": "办理期限不能早于今天。"}, code="past_deadline")

    Referral.objects.bulk_create(
        [
            Referral(
                topic=locked,
                department=department,
                role=role,
                referred_on=today,
                deadline=deadline,
            )
            for department, role in [
                (lead, ReferralRole.LEAD),
                *((d, ReferralRole.ASSIST) for d in assisting),
            ]
        ]
    )
    summary = f"主办:{lead.name}"
    if assisting:
        summary += ";协办:" + "、".join(d.name for d in assisting)
    summary += f";办理期限:{deadline.isoformat()}"
    note = (note or "").strip()
    event = _move(
        actor=actor,
        locked=locked,
        to=TopicStatus.REFERRED,
        kind=EventKind.REFERRAL,
        note=f"{summary}。{note}" if note else f"{summary}。",
    )
    _sync(topic, locked, ["status", "updated_at"])
    return event


@transaction.atomic
def topic_add_assisting(
    *,
    actor,
    topic: Topic,
    departments: Iterable[Department],
    deadline: datetime.date | None = None,
    note: str = "",
    expected_from: str | None = None,
) -> TopicEvent:
    """追加协办: bring more departments into a topic already referred (交办 or 办理).

    The topic's status does not change. Each department must be one the actor can see, in use,
    and not yet on the topic. Writes one REFERRAL event naming them and their deadline.
    """
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    if locked.status not in (TopicStatus.REFERRED, TopicStatus.IN_PROGRESS, TopicStatus.REPLIED):
        raise _refuse(locked.status, "追加协办部门")
    departments = list(departments or ())
    if not departments:
        raise ValidationError({"departments": "请选择至少一个协办部门。"}, code="required")
    wanted = {d.pk for d in departments}
    visible = set(
        Department.objects.visible_to(actor)
        .filter(pk__in=wanted, is_active=True)
        .values_list("pk", flat=True)
    )
    if visible != wanted:
        raise ValidationError(
            {"departments": "只能交办本辖区在用的职能部门。"}, code="out_of_scope"
        )
    if locked.referrals.filter(department__in=wanted).exists():
        raise ValidationError({"departments": "所选部门已在交办名单中。"}, code="already_referred")
    today = timezone.localdate()
    deadline = deadline or referral_default_deadline(today)
    if deadline < today:
        raise ValidationError({"deadline": "办理期限不能早于今天。"}, code="past_deadline")
    Referral.objects.bulk_create(
        Referral(
            topic=locked,
            department=department,
            role=ReferralRole.ASSIST,
            referred_on=today,
            deadline=deadline,
        )
        for department in sorted(departments, key=lambda d: d.name)
    )
    summary = "追加协办:" + "、".join(sorted(d.name for d in departments))
    summary += f";办理期限:{deadline.isoformat()}。"
    note = (note or "").strip()
    return TopicEvent.objects.create(
        topic=locked, kind=EventKind.REFERRAL, actor=actor, note=summary + note
    )


@transaction.atomic
def referral_record_reply(
    *,
    actor,
    referral: Referral,
    reply: str,
    replied_on: datetime.date | None = None,
) -> TopicEvent:
    """Record a department's reply (部门答复) to a referral.

    Until units reply through their own accounts (the ``units`` work: 签收, reply class), staff
    record the reply and the topic moves as follows. A reply means the department has taken the
    topic on: a reply recorded while the topic is still 已交办 first records the 签收 (已交办 →
    办理中, a REPLY-kind event of its own). The lead department's (主办) reply is the 答复 that ends
    办理 (办理中 → 已答复); an assisting department's reply writes a REPLY event without a further
    move. A reply is recorded once per referral, except the lead's after 继续办理 / 退回重办 (the
    topic back at 办理中), whose new reply is added below the earlier one. A reply cannot be
    earlier than the referral or later than today.
    """
    topic = referral.topic
    locked = _lock(actor=actor, topic=topic, expected_from=None)
    if locked.status not in (TopicStatus.REFERRED, TopicStatus.IN_PROGRESS, TopicStatus.REPLIED):
        raise _refuse(locked.status, "记录部门答复")
    row = (
        Referral.objects.select_for_update()
        .select_related("department")
        .get(pk=referral.pk, topic_id=locked.pk)
    )
    again = (
        row.replied_on is not None
        and row.role == ReferralRole.LEAD
        and locked.status == TopicStatus.IN_PROGRESS
    )
    if row.replied_on is not None and not again:
        raise ValidationError(
            "%(dept)s已于%(day)s答复,不能重复记录。",
            code="already_replied",
            params={"dept": row.department.name, "day": row.replied_on.isoformat()},
        )
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": "请填写答复内容。"}, code="required")
    replied_on = replied_on or timezone.localdate()
    not_before, before_label = (
        (row.replied_on, "上次答复日期") if again else (row.referred_on, "交办日期")
    )
    _check_day(replied_on, field="replied_on", not_before=not_before, before_label=before_label)

    row.reply = f"{row.reply}\n[{replied_on.isoformat()} 再次答复] {reply}" if again else reply
    row.replied_on = replied_on
    row.save(update_fields=["reply", "replied_on"])
    _sync(referral, row, ["reply", "replied_on"])

    note = f"{row.department.name}({row.get_role_display()})答复:{reply}"
    if locked.status == TopicStatus.REFERRED:
        _move(
            actor=actor,
            locked=locked,
            to=TopicStatus.IN_PROGRESS,
            kind=EventKind.REPLY,
            note=f"{row.department.name}已签收。",
        )
    if row.role == ReferralRole.LEAD and locked.status == TopicStatus.IN_PROGRESS:
        event = _move(
            actor=actor, locked=locked, to=TopicStatus.REPLIED, kind=EventKind.REPLY, note=note
        )
    else:
        event = TopicEvent.objects.create(
            topic=locked, kind=EventKind.REPLY, actor=actor, note=note
        )
    _sync(topic, locked, ["status", "updated_at"])
    return event


@transaction.atomic
def topic_resolve(
    *,
    actor,
    topic: Topic,
    summary: str,
    internal_note: str = "",
    resolved_on: datetime.date | None = None,
    expected_from: str | None = None,
) -> TopicEvent:
    """办结: the public summary (residents see it) and a private note (staff only).

    The internal note is appended to ``internal_notes`` and never written to the timeline, which
    members can read. One TRANSITION event 办理 → 办结 whose note is the public summary.
    """
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    if not lifecycle.is_allowed(locked.status, TopicStatus.RESOLVED):
        raise _refuse(locked.status, "办结")
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": "请填写办理结果。"}, code="required")
    resolved_on = resolved_on or timezone.localdate()
    _check_day(
        resolved_on, field="resolved_on", not_before=locked.raised_on, before_label="提出日期"
    )

    event = _move(
        actor=actor,
        locked=locked,
        to=TopicStatus.RESOLVED,
        kind=EventKind.TRANSITION,
        note=summary,
        on=resolved_on,
    )
    locked.resolved_on = resolved_on
    locked.resolution_summary = summary
    internal_note = (internal_note or "").strip()
    fields = ["resolved_on", "resolution_summary"]
    if internal_note:
        stamp = f"[办结 {resolved_on.isoformat()}] {internal_note}"
        locked.internal_notes = (
            f"{locked.internal_notes.rstrip()}\n{stamp}" if locked.internal_notes else stamp
        )
        fields.append("internal_notes")
    locked.save(update_fields=fields)
    _sync(topic, locked, ["status", "updated_at", *fields])
    return event


@transaction.atomic
def topic_rate(
    *,
    actor,
    topic: Topic,
    rating: str,
    rated_on: datetime.date | None = None,
    note: str = "",
    expected_from: str | None = None,
) -> TopicEvent:
    """评价: the residents' rating (满意 / 基本满意 / 不满意), collected offline and entered by
    staff. Only a resolved topic can be rated (办结 → 评价); one RATING event."""
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    if not lifecycle.is_allowed(locked.status, TopicStatus.RATED):
        raise _refuse(locked.status, "记录群众评价(仅办结后可评价)")
    if rating not in Rating.values:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意。"}, code="invalid")
    rated_on = rated_on or timezone.localdate()
    _check_day(
        rated_on,
        field="rated_on",
        not_before=locked.resolved_on or locked.raised_on,
        before_label="办结日期",
    )
    label = Rating(rating).label
    note = (note or "").strip()
    event = _move(
        actor=actor,
        locked=locked,
        to=TopicStatus.RATED,
        kind=EventKind.RATING,
        note=f"群众评价:{label}。{note}" if note else f"群众评价:{label}。",
    )
    locked.rating = rating
    locked.rated_on = rated_on
    locked.save(update_fields=["rating", "rated_on"])
    _sync(topic, locked, ["status", "updated_at", "rating", "rated_on"])
    return event


@transaction.atomic
def topic_merge(
    *,
    actor,
    duplicate: Topic,
    survivor: Topic,
    note: str = "",
    expected_from: str | None = None,
) -> TopicEvent:
    """Fold an open duplicate into ``survivor``: the duplicate becomes 已合并 with
    ``merged_into = survivor`` (its page then redirects there). Events, referrals and session
    links stay where they were written. A MERGE event goes on both topics; returns the
    duplicate's. Both rows are locked in id order so two merges cannot deadlock."""
    if duplicate.pk == survivor.pk:
        raise ValidationError({"survivor": "不能把议题合并到它自己。"}, code="self")
    if not (can_move_topic(actor, duplicate) and can_move_topic(actor, survivor)):
        raise PermissionDenied("您没有权限办理该议题。")
    rows = {
        t.pk: t
        for t in Topic.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, survivor.pk])
        .order_by("pk")
    }
    dup, surv = rows[duplicate.pk], rows[survivor.pk]
    if expected_from and dup.status != expected_from:
        raise TransitionError(
            "议题状态已被他人更新为“%(current)s”,请刷新页面后再操作。",
            code="stale",
            params={"current": lifecycle.label(dup.status)},
        )
    if dup.status not in OPEN_STATES:
        raise _refuse(dup.status, "合并(仅办理中的议题可以合并)")
    if surv.status == TopicStatus.MERGED:
        raise ValidationError(
            {"survivor": "目标议题已合并至其他议题,请选择最终保留的议题。"}, code="chain"
        )
    note = (note or "").strip()
    from_status = dup.status
    dup.status = TopicStatus.MERGED
    dup.merged_into = surv
    dup.save(update_fields=["status", "merged_into", "updated_at"])
    suffix = f"{note}" if note else ""
    event = TopicEvent.objects.create(
        topic=dup,
        kind=EventKind.MERGE,
        actor=actor,
        from_status=from_status,
        to_status=TopicStatus.MERGED,
        note=f"合并至议题 #{surv.pk}“{surv.title}”。{suffix}",
    )
    events.topic_status_changed.send(sender=Topic, event=event, actor=actor)
    TopicEvent.objects.create(
        topic=surv,
        kind=EventKind.MERGE,
        actor=actor,
        note=f"重复议题 #{dup.pk}“{dup.title}”已合并至本议题。{suffix}",
    )
    _sync(duplicate, dup, ["status", "merged_into", "updated_at"])
    return event


@transaction.atomic
def topic_comment(*, actor, topic: Topic, note: str) -> TopicEvent:
    """备注: a note on the timeline without a state change (a phone call, a site visit ...)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写备注内容。"}, code="required")
    locked = _lock(actor=actor, topic=topic, expected_from=None)
    return TopicEvent.objects.create(topic=locked, kind=EventKind.COMMENT, actor=actor, note=note)
