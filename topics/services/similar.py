"""Writes of the similar-topic check (issue 16): "不是同一问题", and a new topic entered as a
duplicate of an open one (登记 → 合并 in one click)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import PairVerdict, Topic, TopicPair
from ..permissions import can_move_topic
from .topic_actions import topic_merge
from .transitions import topic_create


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def topic_pair_not_same(*, actor, topic: Topic, other: Topic) -> TopicPair:
    """Staff say two topics are different problems: the pair is never offered again (nor
    flagged in the queue). Both must be topics ``actor`` may move."""
    if topic.pk == other.pk:
        raise ValueError("a topic is always the same as itself")
    if not (can_move_topic(actor, topic) and can_move_topic(actor, other)):
        raise PermissionDenied("您没有权限办理该议题。")
    low, high = _ordered(topic.pk, other.pk)
    fields = {
        "verdict": PairVerdict.NOT_SAME,
        "decided_by": actor,
        "decided_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            pair, _ = TopicPair.objects.update_or_create(low_id=low, high_id=high, defaults=fields)
    except IntegrityError:  # two clicks at once: the other one inserted the row first
        pair = TopicPair.objects.get(low_id=low, high_id=high)
        TopicPair.objects.filter(pk=pair.pk).update(**fields)
    return pair


@transaction.atomic
def topic_create_checked(
    *, actor, note: str = "", merge_into: Topic | None = None, not_same=(), **fields
) -> Topic:
    """登记 with the similar-topic panel's answers: create the topic; remember the topics staff
    called "不是同一问题"; when they chose 合并, fold the new topic into ``merge_into`` at
    once (it keeps its own 提出 event and the reporter, and the survivor's timeline says so)."""
    topic = topic_create(actor=actor, note=note, **fields)
    for other in not_same:
        if merge_into is None or other.pk != merge_into.pk:
            topic_pair_not_same(actor=actor, topic=topic, other=other)
    if merge_into is not None:
        topic_merge(actor=actor, duplicate=topic, survivor=merge_into, note="登记时发现重复")
    return topic
