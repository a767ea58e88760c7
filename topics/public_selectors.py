"""Reads for the public pages (no login). They return only what may be shown to anyone:
names of members (never phones), public resolution summaries, a topic's status — nothing
internal. Values, not model instances, where a row carries private columns."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone

from members.models import Assignment, DutyShift, ShiftStatus
from platforms.models import Venue

from .lifecycle import RESOLVED_STATES
from .models import Referral, Topic, TopicEvent

PUBLIC_OUTCOMES = 5


def public_venue_or_404(code: str) -> Venue:
    return get_object_or_404(
        Venue.objects.active().select_related("area", "brand"), code__iexact=code
    )


def venue_on_duty(venue: Venue, on: datetime.date | None = None) -> list[dict]:
    """Members on duty at the venue today: name and time slot only."""
    on = on or timezone.localdate()
    rows = (
        DutyShift.objects.filter(venue=venue, date=on, member__is_active=True)
        .exclude(status__in=[ShiftStatus.MISSED, ShiftStatus.SWAPPED, ShiftStatus.DRAFT])
        .order_by("slot", "member__name", "pk")
        .values("member__name", "slot")
    )
    slots = dict(DutyShift._meta.get_field("slot").choices)
    return [{"name": r["member__name"], "slot": slots.get(r["slot"], "")} for r in rows]


def venue_assigned_members(venue: Venue, on: datetime.date | None = None) -> list[dict]:
    """Members currently assigned to the venue: name and role only, one row per member."""
    rows = (
        Assignment.objects.current(on)
        .filter(venue=venue, member__is_active=True)
        .order_by("role", "member__name", "member_id")
        .values("member_id", "member__name", "role")
    )
    roles = dict(Assignment._meta.get_field("role").choices)
    seen, out = set(), []
    for r in rows:
        if r["member_id"] in seen:
            continue
        seen.add(r["member_id"])
        out.append({"name": r["member__name"], "role": roles.get(r["role"], "")})
    return out


def venue_public_outcomes(venue: Venue, limit: int = PUBLIC_OUTCOMES) -> list[dict]:
    """The newest resolved topics of the venue that have a public summary."""
    return list(
        Topic.objects.filter(venue=venue, status__in=RESOLVED_STATES)
        .exclude(resolution_summary="")
        .order_by("-resolved_on", "-pk")
        .values("category__name", "resolved_on", "resolution_summary")[:limit]
    )


def public_topic_or_404(code: str) -> Topic:
    """A topic by its tracking code, case-insensitive; only public columns are loaded."""
    return get_object_or_404(
        Topic.objects.select_related("category", "venue").only(
            "pk",
            "title",
            "status",
            "raised_on",
            "resolved_on",
            "resolution_summary",
            "rating",
            "rated_on",
            "tracking_code",
            "decision_reason",
            "redirect_channel",
            "redirect_note",
            "resolution_kind",
            "category__name",
            "venue__name",
            "venue__code",
        ),
        tracking_code=(code or "").strip().upper(),
    )


def public_step_dates(topic: Topic) -> dict[str, datetime.date]:
    """The day the topic last reached each state (from its timeline; one query). Only states
    and dates: no note, no actor."""
    days: dict[str, datetime.date] = {}
    rows = (
        TopicEvent.objects.filter(topic=topic)
        .exclude(to_status="")
        .order_by("at", "pk")
        .values_list("to_status", "at")
    )
    for status, at in rows:
        days[status] = timezone.localdate(at)
    return days


# The 答复 class (A/B/C) in the words a resident understands. The ``units`` work adds the class
# to the lead referral (``Referral.reply_class``); until then there is none and nothing is shown.
REPLY_CLASS_WORDS = {
    "A": "问题已解决",
    "B": "正在解决,已列入工作计划",
    "C": "因条件限制暂时不能解决,已作出解释",
}


def public_reply_class(topic: Topic) -> str:
    """The lead unit's reply class in plain words, or "" (hook for the ``units`` work)."""
    if not any(f.name == "reply_class" for f in Referral._meta.get_fields()):
        return ""
    value = (
        Referral.objects.filter(topic=topic, role="lead")
        .values_list("reply_class", flat=True)
        .first()
    )
    return REPLY_CLASS_WORDS.get(value or "", "")
