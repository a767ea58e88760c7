"""Writes that matter for topics. Views, admin actions and commands all call these."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import events, lifecycle
from ..lifecycle import TopicStatus
from ..models import EventKind, Topic, TopicEvent
from ..permissions import can_move_topic


class TransitionError(ValidationError):
    """A lifecycle move that is not allowed; the message is for the user, in Chinese."""


@transaction.atomic
def topic_create(*, actor, note: str = "", notify_staff: bool = True, **fields) -> Topic:
    """Create a topic in state 征集 and write the "raised" event that starts its timeline.

    ``fields`` are Topic fields (title, category, area, venue, source, ...). The status is
    always "raised": a topic enters the lifecycle at its start, whoever creates it. After the
    commit the office staff of its area are mailed, unless ``notify_staff`` is False (imports).
    """
    fields.pop("status", None)
    topic = Topic(**fields)
    topic.full_clean(exclude=["tracking_code"])
    topic.save()
    TopicEvent.objects.create(
        topic=topic,
        kind=EventKind.RAISED,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        to_status=TopicStatus.RAISED,
        note=(note or "").strip() or f"来源:{topic.get_source_display()}",
    )
    if notify_staff:
        events.topic_raised.send(sender=Topic, topic=topic, actor=actor)
    return topic


@transaction.atomic
def topic_transition(
    *,
    topic: Topic,
    actor,
    to: str,
    note: str = "",
    expected_from: str | None = None,
    on: datetime.date | None = None,
    move: str | None = None,
) -> TopicEvent:
    """Move ``topic`` to state ``to`` and write the timeline event, under a row lock.

    ``expected_from`` is the state the actor saw when they chose the action; if somebody else
    moved the topic in between, the move is refused instead of being applied to a state the actor
    never saw. ``move`` names the move of ``lifecycle.MOVES`` when two lead to the same state
    (继续办理 / 退回重办); without it the table's first move to ``to`` is taken. ``topic`` is
    refreshed in place with the stored values.
    """
    if actor is not None and not can_move_topic(actor, topic):
        raise PermissionDenied("您没有权限办理该议题。")

    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    current = locked.status
    if expected_from is not None and current != expected_from:
        raise TransitionError(
            "议题状态已被他人更新为“%(current)s”,请刷新页面后再操作。",
            code="stale",
            params={"current": lifecycle.label(current)},
        )
    if to not in TopicStatus.values:
        raise TransitionError("未知的议题状态:%(to)s。", code="unknown", params={"to": to})
    chosen = lifecycle.find_move(current, to, move)
    if chosen is None:
        raise TransitionError(
            "议题当前为“%(current)s”,不能转为“%(to)s”。",
            code="not_allowed",
            params={"current": lifecycle.label(current), "to": lifecycle.label(to)},
        )
    if not lifecycle.condition_met(chosen, rating=locked.rating):
        raise TransitionError(
            "只有回访不满意的议题才能重新办理。", code="not_unsatisfied", params={}
        )
    note = (note or "").strip()
    if chosen.needs_note and not note:
        raise TransitionError(
            "“%(move)s”需要填写原因。", code="note_required", params={"move": chosen.label}
        )

    today = on or timezone.localdate()
    locked.status = to
    update_fields = ["status", "updated_at"]
    if to == TopicStatus.RESOLVED:
        locked.resolved_on = max(today, locked.raised_on)
        update_fields.append("resolved_on")
    locked.save(update_fields=update_fields)

    event = TopicEvent.objects.create(
        topic=locked,
        kind=EventKind.TRANSITION,
        actor=actor,
        from_status=current,
        to_status=to,
        note=note,
    )
    events.topic_status_changed.send(sender=Topic, event=event, actor=actor)
    for field in update_fields:
        setattr(topic, field, getattr(locked, field))
    return event
