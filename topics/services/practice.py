"""The moves of the lifecycle that carry more than a note (issue 14): 受理 / 不予受理 with 分流,
列入协商 on a session's agenda, 回访 records and 重新办理, 跟踪问效 records, 提级 to the office
above, and staff editing a topic's title, category, description and area.

Same pattern as ``topic_actions``: one transaction, the topic row locked, the state the actor saw
checked, the move made through ``topic_transition`` (the one writer of a state), exactly one
timeline event per topic touched — labelled with its kind so the figures can count them
(``EventKind.REOPEN`` is a reopened topic).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from platforms.models import AreaLevel

from ..lifecycle import TopicStatus
from ..models import (
    Consultation,
    ConsultationTopic,
    EventKind,
    Rating,
    RedirectChannel,
    Topic,
    TopicEvent,
    TopicFollowUp,
    TopicVisit,
    VisitMethod,
)
from ..permissions import can_move_topic
from .topic_actions import _check_day, _lock, _move, _refuse, _sync

__all__ = [
    "topic_accept",
    "topic_consult",
    "topic_decline",
    "topic_edit",
    "topic_elevate",
    "topic_follow_up",
    "topic_reopen",
    "topic_visit",
]

S = TopicStatus


@transaction.atomic
def topic_accept(*, actor, topic: Topic, reason: str = "", expected_from=None) -> TopicEvent:
    """受理: the office takes the problem on; the reason (optional) is kept on the topic."""
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    reason = (reason or "").strip()
    event = _move(actor=actor, locked=locked, to=S.ACCEPTED, kind=EventKind.TRANSITION, note=reason)
    locked.decision_reason = reason
    locked.save(update_fields=["decision_reason"])
    _sync(topic, locked, ["status", "updated_at", "decision_reason"])
    return event


@transaction.atomic
def topic_decline(
    *,
    actor,
    topic: Topic,
    reason: str,
    channel: str = "",
    channel_note: str = "",
    expected_from=None,
) -> TopicEvent:
    """不予受理 with the reason (required) and, when the problem belongs elsewhere, where it was
    sent (分流: 信访, 12345, 司法途径, 其他渠道 — a choice plus text)."""
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写不予受理的原因。"}, code="required")
    if channel and channel not in RedirectChannel.values:
        raise ValidationError({"channel": "请选择有效的分流渠道。"}, code="invalid")
    channel_note = (channel_note or "").strip()
    if channel == RedirectChannel.OTHER and not channel_note:
        raise ValidationError(
            {"channel_note": "分流到其他渠道时,请写明是哪个渠道。"}, code="required"
        )
    if channel_note and not channel:
        raise ValidationError({"channel": "请选择分流渠道。"}, code="required")
    note = reason
    if channel:
        where = RedirectChannel(channel).label + (f"({channel_note})" if channel_note else "")
        note += f"\n已引导至:{where}"
    event = _move(actor=actor, locked=locked, to=S.DECLINED, kind=EventKind.TRANSITION, note=note)
    locked.decision_reason = reason
    locked.redirect_channel = channel
    locked.redirect_note = channel_note
    fields = ["decision_reason", "redirect_channel", "redirect_note"]
    locked.save(update_fields=fields)
    _sync(topic, locked, ["status", "updated_at", *fields])
    return event


def agenda_sessions(user):
    """The sessions an office may put a topic on: visible to it, from 60 days ago onwards."""
    since = timezone.now() - datetime.timedelta(days=60)
    return (
        Consultation.objects.visible_to(user)
        .filter(held_at__gte=since)
        .select_related("venue")
        .order_by("held_at", "pk")
    )


@transaction.atomic
def topic_consult(
    *,
    actor,
    topic: Topic,
    session: Consultation | None = None,
    note: str = "",
    expected_from=None,
) -> TopicEvent:
    """列入协商: 已受理 → 协商中, on a session's agenda when one is chosen (a ConsultationTopic
    link; the topic is then a 协商议题), else marked for the next session.

    Once 协商中, another session may be added (a topic discussed at two sessions) without a
    move: one AGENDA event."""
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    if locked.status not in (S.ACCEPTED, S.CONSULTING):
        raise _refuse(locked.status, "列入协商")
    if locked.status == S.CONSULTING and session is None:
        raise ValidationError({"session": "请选择协商活动。"}, code="required")
    if session is not None:
        if not agenda_sessions(actor).filter(pk=session.pk).exists():
            raise ValidationError(
                {"session": "只能选择本辖区近期的协商活动。"}, code="out_of_scope"
            )
        if ConsultationTopic.objects.filter(consultation=session, topic=locked).exists():
            raise ValidationError({"session": "该议题已在这次协商活动的议程中。"}, code="duplicate")
    note = (note or "").strip()
    where = f"列入协商活动“{session.title}”议程。" if session else "列入下次协商活动。"
    full = f"{where}{note}"
    if locked.status == S.ACCEPTED:
        event = _move(actor=actor, locked=locked, to=S.CONSULTING, kind=EventKind.AGENDA, note=full)
    else:
        event = TopicEvent.objects.create(
            topic=locked, kind=EventKind.AGENDA, actor=actor, note=full
        )
    if session is not None:
        ConsultationTopic.objects.create(consultation=session, topic=locked, note="")
    _sync(topic, locked, ["status", "updated_at"])
    return event


@transaction.atomic
def topic_visit(
    *,
    actor,
    topic: Topic,
    rating: str,
    method: str,
    visited_on: datetime.date | None = None,
    visitor: str = "",
    note: str = "",
    expected_from=None,
) -> TopicEvent:
    """回访: a call or visit after 办结 with the resident's rating. The first 回访 of a resolved
    topic moves it to 已回访; later ones (已回访, 跟踪问效) are records without a move. The topic
    keeps the latest rating."""
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    if locked.status not in (S.RESOLVED, S.RATED, S.FOLLOW_UP):
        raise _refuse(locked.status, "回访(仅办结后可回访)")
    errors = {}
    if rating not in Rating.values:
        errors["rating"] = "请选择满意、基本满意或不满意。"
    if method not in VisitMethod.values:
        errors["method"] = "请选择电话回访或上门回访。"
    if errors:
        raise ValidationError(errors, code="invalid")
    visited_on = visited_on or timezone.localdate()
    # The form's field is the topic's rated_on (the latest 回访's date).
    _check_day(
        visited_on,
        field="rated_on",
        not_before=locked.resolved_on or locked.raised_on,
        before_label="办结日期",
    )
    visitor = (visitor or "").strip()
    note = (note or "").strip()
    TopicVisit.objects.create(
        topic=locked,
        visited_on=visited_on,
        visitor=visitor,
        method=method,
        rating=rating,
        note=note,
        recorded_by=actor,
    )
    text = f"{VisitMethod(method).label}"
    if visitor:
        text += f"({visitor})"
    text += f",群众评价:{Rating(rating).label}。{note}"
    if locked.status == S.RESOLVED:
        event = _move(actor=actor, locked=locked, to=S.RATED, kind=EventKind.RATING, note=text)
    else:
        event = TopicEvent.objects.create(
            topic=locked, kind=EventKind.RATING, actor=actor, note=text
        )
    locked.rating = rating
    locked.rated_on = visited_on
    locked.save(update_fields=["rating", "rated_on"])
    _sync(topic, locked, ["status", "updated_at", "rating", "rated_on"])
    return event


@transaction.atomic
def topic_reopen(*, actor, topic: Topic, reason: str, expected_from=None) -> TopicEvent:
    """重新办理: after a 不满意 回访 the topic goes back to 已交办 (the same units; more can be
    added). One REOPEN event — the figures count these as reopened topics."""
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    event = _move(
        actor=actor,
        locked=locked,
        to=S.REFERRED,
        kind=EventKind.REOPEN,
        note=(reason or "").strip(),
    )
    _sync(topic, locked, ["status", "updated_at"])
    return event


@transaction.atomic
def topic_follow_up(
    *,
    actor,
    topic: Topic,
    text: str,
    progress: int,
    checked_on: datetime.date | None = None,
    expected_from=None,
) -> TopicEvent:
    """跟踪问效: a dated check with its progress in %. From 已办结 or 已回访 the first one moves
    the topic to 跟踪问效; then more records until the office marks it 已落实."""
    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    if locked.status not in (S.RESOLVED, S.RATED, S.FOLLOW_UP):
        raise _refuse(locked.status, "跟踪问效(仅办结后可跟踪)")
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = "请填写跟踪情况。"
    if progress is None or not 0 <= progress <= 100:
        errors["progress"] = "进度应在 0 到 100 之间。"
    if errors:
        raise ValidationError(errors, code="invalid")
    checked_on = checked_on or timezone.localdate()
    _check_day(
        checked_on,
        field="checked_on",
        not_before=locked.resolved_on or locked.raised_on,
        before_label="办结日期",
    )
    TopicFollowUp.objects.create(
        topic=locked, checked_on=checked_on, text=text, progress=progress, recorded_by=actor
    )
    note = f"跟踪问效({checked_on.isoformat()},进度 {progress}%):{text}"
    if locked.status != S.FOLLOW_UP:
        event = _move(
            actor=actor, locked=locked, to=S.FOLLOW_UP, kind=EventKind.FOLLOW_UP, note=note
        )
    else:
        event = TopicEvent.objects.create(
            topic=locked, kind=EventKind.FOLLOW_UP, actor=actor, note=note
        )
    _sync(topic, locked, ["status", "updated_at"])
    return event


def office_above(topic: Topic):
    """The area of the committee above the office that handles ``topic``: the parent of its
    district (or of its own area when that is a district or higher); None at the top."""
    from platforms.models import Area

    area, step = topic.area, Area.steplen
    if area.level > AreaLevel.DISTRICT:
        prefixes = [area.path[: step * i] for i in range(1, area.depth)]
        area = Area.objects.filter(level=AreaLevel.DISTRICT, path__in=prefixes).first() or area
    if area.depth <= 1:
        return None
    return Area.objects.filter(path=area.path[:-step]).first()


@transaction.atomic
def topic_elevate(*, actor, topic: Topic, reason: str, expected_from=None) -> Topic:
    """提级: the district raises an accepted topic to the committee above. A new topic in that
    office's queue (待受理, same title, category, description and resident) links back to this
    one, which becomes 已提级; each gets one ELEVATE event. Returns the new topic."""
    from .transitions import topic_create

    locked = _lock(actor=actor, topic=topic, expected_from=expected_from)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写提级的理由。"}, code="required")
    above = office_above(locked)
    if above is None:
        raise ValidationError({"reason": "该议题已在最高一级,不能再提级。"}, code="top")
    event = _move(
        actor=actor,
        locked=locked,
        to=S.ELEVATED,
        kind=EventKind.ELEVATE,
        note=f"提级至{above.name}政协办公室:{reason}",
    )
    new = topic_create(
        actor=actor,
        note=f"由{locked.area.name}议题 #{locked.pk} 提级:{reason}",
        notify_staff=True,
        title=locked.title,
        description=locked.description,
        source=locked.source,
        category=locked.category,
        area=above,
        raised_by_member=locked.raised_by_member,
        resident_name=locked.resident_name,
        resident_phone=locked.resident_phone,
        resident_consents_contact=locked.resident_consents_contact,
        priority=locked.priority,
        elevated_from=locked,
    )
    event.note += f"(上级议题 #{new.pk},查询码 {new.tracking_code})"
    event.save(update_fields=["note"])
    _sync(topic, locked, ["status", "updated_at"])
    return new


# What staff may edit on a topic page, with the labels the history uses.
EDITABLE = {"title": "标题", "category": "类别", "description": "问题描述", "area": "所属区划"}


@transaction.atomic
def topic_edit(*, actor, topic: Topic, **changes) -> TopicEvent | None:
    """Staff correct a topic's title, category, description or area. The old values are kept in
    one STAFF_EDIT event (in full: a resident's text is never cut); nothing changed, no event.
    The new area must be one the actor sees."""
    from platforms.models import Area

    locked = _lock(actor=actor, topic=topic, expected_from=None)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise ValidationError({"title": "请填写标题。"}, code="required")
    area = changes.get("area")
    if (
        area is not None
        and area.pk != locked.area_id
        and not Area.objects.visible_to(actor).filter(pk=area.pk).exists()
    ):
        raise ValidationError({"area": "只能改为本辖区内的区划。"}, code="out_of_scope")
    lines = []
    for field, value in changes.items():
        old = getattr(locked, field)
        if old == value:
            continue
        lines.append(f"{EDITABLE[field]}原为:{old if field != 'description' else old or '(空)'}")
        setattr(locked, field, value)
    if not lines:
        return None
    locked.full_clean(exclude=["tracking_code"])
    locked.save()
    if not can_move_topic(actor, locked):
        # The new area is outside the actor's reach (cannot happen for a visible area).
        raise PermissionDenied("您没有权限办理该议题。")
    _sync(topic, locked, [*changes, "updated_at"])
    return TopicEvent.objects.create(
        topic=locked, kind=EventKind.STAFF_EDIT, actor=actor, note="\n".join(lines)
    )
