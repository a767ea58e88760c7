"""Mails triggered by a write: a task queued after the commit (``consult_portal.jobs.enqueue``),
so a write that is rolled back sends nothing and the request never waits for a mail server.

The services send domain events (``topics.events``, ``members.events``) in the code of each
write; ``connect()`` (called by ``NotificationsConfig.ready()``) ties them to the functions below,
which pass ids on, and the callback reads the committed rows again.
The task records each mail under its key (待发送) and queues one send per mail
(``notifications.tasks.send_mail``), retried with backoff; a mail server that is down never turns
a saved form into an error page, and a mail that still fails is 发送失败, retried by
``send_reminders`` or from the failed-jobs page.
"""

from __future__ import annotations

import logging

from django.urls import reverse

from consult_portal.jobs import enqueue
from topics import lifecycle
from topics.models import Topic, TopicEvent

from .delivery import Mail, absolute_url, queue
from .models import NotificationKind
from .recipients import Recipient, area_staff, venue_members

logger = logging.getLogger(__name__)


def _actor_id(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def topic_raised(topic: Topic, *, actor=None) -> None:
    """A new topic: tell the office staff whose area contains it (not the one who entered it)."""
    from . import tasks

    enqueue(tasks.mail_topic_raised, kwargs={"topic_id": topic.pk, "actor_id": _actor_id(actor)})


def topic_status_changed(event: TopicEvent, *, actor=None) -> None:
    """A topic at a venue changed state: tell the members assigned to the venue."""
    from . import tasks

    enqueue(tasks.mail_topic_status, kwargs={"event_id": event.pk, "actor_id": _actor_id(actor)})


def referral_unit_acted(event: TopicEvent, *, actor=None) -> None:
    """A unit signed, returned, asked for more time or replied: tell the office staff whose area
    contains the topic (not the one who entered it for the unit)."""
    from . import tasks

    enqueue(tasks.mail_unit_acted, kwargs={"event_id": event.pk, "actor_id": _actor_id(actor)})


def send_unit_acted(event_id: int, *, actor_id: int | None = None):
    event = TopicEvent.objects.select_related("topic__area").get(pk=event_id)
    topic = event.topic
    people = area_staff(topic.area, exclude_user_id=actor_id)
    _log_skipped(f"议题 #{topic.pk} 承办单位办理动态", people.skipped)
    context = {
        "topic": topic,
        "what": event.get_kind_display(),
        "note": event.note,
        "at": event.at,
        "link": absolute_url(reverse("topics:detail", args=[topic.pk])),
    }
    mails = [
        Mail(
            kind=NotificationKind.UNIT_ACTED,
            key=f"unit-acted:{event.pk}:u{person.user_id}",
            recipient=person,
            template="notifications/unit_acted",
            context=context,
            related={"topic": topic.pk, "event": event.pk},
        )
        for person in people.found
    ]
    return queue(mails)


def _log_skipped(what: str, skipped: list[str]) -> None:
    for name in skipped:
        logger.info("%s: %s 未收到邮件", what, name)


def send_topic_raised(topic_id: int, *, actor_id: int | None = None):
    topic = Topic.objects.select_related("area", "venue", "category").get(pk=topic_id)
    people = area_staff(topic.area, exclude_user_id=actor_id)
    _log_skipped(f"新议题 #{topic.pk}", people.skipped)
    context = {
        "topic": topic,
        "link": absolute_url(reverse("topics:detail", args=[topic.pk])),
    }
    mails = [
        Mail(
            kind=NotificationKind.TOPIC_RAISED,
            key=f"topic-raised:{topic.pk}:u{person.user_id}",
            recipient=person,
            template="notifications/topic_raised",
            context=context,
            related={"topic": topic.pk},
        )
        for person in people.found
    ]
    return queue(mails)


def send_topic_status(event_id: int, *, actor_id: int | None = None):
    event = TopicEvent.objects.select_related("topic__venue", "topic__category").get(pk=event_id)
    topic = event.topic
    if topic.venue_id is None or not event.to_status or event.from_status == event.to_status:
        return None
    people = venue_members(topic.venue_id, exclude_user_id=actor_id)
    _log_skipped(f"议题 #{topic.pk} 状态变更", people.skipped)
    context = {
        "topic": topic,
        "from_label": lifecycle.label(event.from_status) if event.from_status else "",
        "to_label": lifecycle.label(event.to_status),
        "changed_at": event.at,
        "link": absolute_url(reverse("topics:detail", args=[topic.pk])),
    }
    mails = [
        Mail(
            kind=NotificationKind.TOPIC_STATUS,
            key=f"topic-status:{event.pk}:u{person.user_id}",
            recipient=person,
            template="notifications/topic_status",
            context=context,
            related={"topic": topic.pk, "event": event.pk},
        )
        for person in people.found
    ]
    return queue(mails)


def duty_reviewed(duty, *, actor=None) -> None:
    """The office confirmed or returned a duty the member reported: tell the member."""
    from . import tasks

    enqueue(
        tasks.mail_duty_reviewed,
        kwargs={"duty_id": duty.pk, "reviewed_at": duty.reviewed_at.isoformat()},
    )


def send_duty_reviewed(duty_id: int, reviewed_at):
    from members.models import Duty

    duty = Duty.objects.select_related("member__user").filter(pk=duty_id).first()
    # Withdrawn, or reviewed again before this ran: the newer review sends its own mail.
    if duty is None or duty.reviewed_at != reviewed_at:
        return None
    member, user = duty.member, duty.member.user
    if user is None or not user.is_active or not user.email:
        _log_skipped(f"履职审核 #{duty.pk}", [f"{member.name}(委员,无登录账号或邮箱)"])
        return None
    mail = Mail(
        kind=NotificationKind.DUTY_REVIEWED,
        # One mail per review: a report returned, corrected and reviewed again mails again.
        key=f"duty-reviewed:{duty.pk}:{reviewed_at.timestamp():.6f}",
        recipient=Recipient(user.pk, user.email, member.name),
        template="notifications/duty_reviewed",
        context={"duty": duty, "link": absolute_url(reverse("members:my_duties"))},
        related={"duty": duty.pk},
    )
    return queue([mail])


# -- receivers of the domain events (connected in NotificationsConfig.ready) -------------------
def _on_topic_raised(sender, topic, actor=None, **kwargs) -> None:
    topic_raised(topic, actor=actor)


def _on_topic_status_changed(sender, event, actor=None, **kwargs) -> None:
    topic_status_changed(event, actor=actor)


def _on_referral_unit_acted(sender, event, actor=None, **kwargs) -> None:
    referral_unit_acted(event, actor=actor)


def _on_duty_reviewed(sender, duty, actor=None, **kwargs) -> None:
    duty_reviewed(duty, actor=actor)


def connect() -> None:
    from members import events as member_events
    from topics import events as topic_events

    topic_events.topic_raised.connect(_on_topic_raised, dispatch_uid="notifications.topic_raised")
    topic_events.topic_status_changed.connect(
        _on_topic_status_changed, dispatch_uid="notifications.topic_status_changed"
    )
    topic_events.referral_unit_acted.connect(
        _on_referral_unit_acted, dispatch_uid="notifications.referral_unit_acted"
    )
    member_events.duty_reviewed.connect(
        _on_duty_reviewed, dispatch_uid="notifications.duty_reviewed"
    )
