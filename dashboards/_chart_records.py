"""Stand-in for ``dashboards.records`` until the figures branch is merged (then removed)."""

from __future__ import annotations

from topics.lifecycle import RESOLVED_STATES, TopicStatus
from topics.models import Consultation, Topic


def topics_raised(node, period):
    return Topic.objects.filter(
        node.q(), raised_on__range=(period.start, period.effective_end)
    ).exclude(status=TopicStatus.MERGED)


def topics_resolved(node, period):
    return Topic.objects.filter(
        node.q(),
        status__in=RESOLVED_STATES,
        resolved_on__range=(period.start, period.effective_end),
    )


def sessions_held(node, period):
    return Consultation.objects.filter(
        node.q(area="venue__area"),
        held_at__date__range=(period.start, period.effective_end),
    )
