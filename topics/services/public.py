"""Writes made from the public pages, by residents who have no account.

- ``topic_raise_by_resident``: a resident raises an issue at a venue (the QR-code page); the topic
  enters the office's queue in state 征集 through ``topic_create`` with no actor.
- ``topic_rate_by_resident``: the resident rates the outcome of a resolved topic, once.
- ``raise_limit_take``: a per-IP and per-phone rate limit counted atomically in the shared cache
  (settings ``PUBLIC_RAISE_LIMIT_*``), so a form on a public QR code cannot be used to flood the
  office's queue; ``track_miss_*`` and ``rate_limit_take`` throttle guessing tracking codes and
  posting ratings from one address.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from consult_portal import ratelimit

from .. import lifecycle
from ..lifecycle import TopicStatus
from ..models import (
    EventKind,
    Rating,
    Topic,
    TopicCategory,
    TopicEvent,
    TopicPhoto,
    TopicSource,
    TopicVisit,
    VisitMethod,
)
from ..similar import flag_duplicates
from .transitions import TransitionError, topic_create, topic_transition


def limit_message(*, venue_phone: str = "") -> str:
    """What a resident who hit the limit reads: mention calling only when there is a number."""
    if venue_phone:
        return f"提交过于频繁,请稍后再试;如情况紧急,请直接到阵地或拨打阵地电话 {venue_phone} 反映。"
    return "提交过于频繁,请稍后再试;如情况紧急,请直接到阵地反映。"


def _limits() -> list[tuple[str, int, int]]:
    """(kind, how many, per seconds), read at call time so tests can override settings."""
    return [
        (
            "ip",
            getattr(settings, "PUBLIC_RAISE_LIMIT_PER_IP", 5),
            getattr(settings, "PUBLIC_RAISE_LIMIT_IP_SECONDS", 3600),
        ),
        (
            "phone",
            getattr(settings, "PUBLIC_RAISE_LIMIT_PER_PHONE", 3),
            getattr(settings, "PUBLIC_RAISE_LIMIT_PHONE_SECONDS", 86400),
        ),
    ]


def _key(kind: str, value: str) -> str:
    return f"public-raise:{kind}:{value}"


def raise_limit_take(*, ip: str, phone: str = "") -> bool:
    """Count one submission against the address and the phone number (if any), atomically;
    False when either has used up its submissions (the submission is then refused)."""
    values = {"ip": ip or "unknown", "phone": phone}
    allowed = True
    for kind, limit, seconds in _limits():
        if values[kind] and not ratelimit.take(
            _key(kind, values[kind]), limit=limit, seconds=seconds
        ):
            allowed = False
    return allowed


def _track_limit() -> tuple[int, int]:
    return (
        getattr(settings, "PUBLIC_TRACK_MISSES_PER_IP", 20),
        getattr(settings, "PUBLIC_TRACK_MISSES_SECONDS", 600),
    )


def track_misses_used_up(*, ip: str) -> bool:
    """True when this address has asked for too many tracking codes that do not exist: codes
    are random, so a run of misses is somebody guessing, not a resident."""
    limit, _seconds = _track_limit()
    return ratelimit.used_up(_key("track-miss", ip or "unknown"), limit=limit)


def track_miss_count(*, ip: str) -> None:
    limit, seconds = _track_limit()
    ratelimit.take(_key("track-miss", ip or "unknown"), limit=limit, seconds=seconds)


def rate_limit_take(*, ip: str) -> bool:
    """Count one rating post from this address; False past ``PUBLIC_RATE_LIMIT_PER_IP`` an hour."""
    return ratelimit.take(
        _key("rate", ip or "unknown"),
        limit=getattr(settings, "PUBLIC_RATE_LIMIT_PER_IP", 10),
        seconds=getattr(settings, "PUBLIC_RATE_LIMIT_SECONDS", 3600),
    )


@transaction.atomic
def topic_raise_by_resident(
    *,
    venue,
    title: str,
    description: str,
    category: TopicCategory,
    resident_name: str = "",
    resident_phone: str = "",
    consents_contact: bool = False,
    photos=(),
) -> Topic:
    """A resident's issue raised on a venue's public page: source 群众反映, state 征集, in the
    venue's area so the office responsible for it finds it in its queue. ``photos``: cleaned
    photos (``topics.photos.clean_photo``), stored unapproved."""
    topic = topic_create(
        actor=None,
        note="群众通过阵地公开页面反映",
        title=title,
        description=description,
        category=category,
        source=TopicSource.RESIDENT,
        area=venue.area,
        venue=venue,
        resident_name=resident_name,
        resident_phone=resident_phone,
        resident_consents_contact=bool(consents_contact and resident_phone),
    )
    for photo in photos:
        row = TopicPhoto(topic=topic, width=photo.width, height=photo.height)
        row.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(photo.content), save=True)
    # The office's queue flags a report that looks like an open topic (issue 16).
    flag_duplicates(topic)
    return topic


@transaction.atomic
def topic_rate_by_resident(*, topic: Topic, rating: str) -> TopicEvent:
    """The resident's own rating (满意 / 基本满意 / 不满意) of a resolved topic, once: the row is
    locked, and only a topic still in 办结 can be rated, so a second post is refused."""
    if rating not in Rating.values:
        raise TransitionError({"rating": "请选择满意、基本满意或不满意。"}, code="invalid")
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    if locked.status != TopicStatus.RESOLVED:
        if locked.rating:
            raise TransitionError("该问题已评价,感谢您的反馈。", code="already_rated")
        raise TransitionError(
            "问题当前为“%(current)s”,办结后才能评价。",
            code="not_resolved",
            params={"current": lifecycle.label(locked.status)},
        )
    label = Rating(rating).label
    event = topic_transition(
        topic=locked,
        actor=None,
        to=TopicStatus.RATED,
        note=f"群众评价:{label}(查询页面提交)。",
        expected_from=TopicStatus.RESOLVED,
    )
    event.kind = EventKind.RATING
    event.save(update_fields=["kind"])
    locked.rating = rating
    locked.rated_on = max(timezone.localdate(), locked.resolved_on or locked.raised_on)
    locked.save(update_fields=["rating", "rated_on"])
    TopicVisit.objects.create(
        topic=locked,
        visited_on=locked.rated_on,
        method=VisitMethod.SELF,
        rating=rating,
        note="群众在查询页面提交。",
    )
    for field in ("status", "updated_at", "resolved_on", "rating", "rated_on"):
        setattr(topic, field, getattr(locked, field))
    return event
