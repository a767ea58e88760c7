"""Reads for reports and outcomes: scope first, then the joins each page shows."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import (
    Instruction,
    Outcome,
    OutcomeItem,
    PublicOpinionReport,
    ReportAdoption,
    ReportAuthor,
)

AUTHORS = Prefetch(
    "authors", queryset=ReportAuthor.objects.select_related("member").order_by("position", "pk")
)
ADOPTIONS = Prefetch("adoptions", queryset=ReportAdoption.objects.order_by("adopted_on", "pk"))


def report_list(*, user) -> QuerySet:
    """The reports the user sees, with their authors and adoptions (two prefetches) and the
    number of 批示 (a subquery count): four queries a page whatever its length."""
    return (
        PublicOpinionReport.objects.visible_to(user)
        .select_related("area")
        .annotate(instruction_count=Count("instructions", distinct=True))
        .prefetch_related(AUTHORS, ADOPTIONS)
        .order_by("-submitted_on", "-pk")
    )


def report_detail_queryset(*, user) -> QuerySet:
    return (
        PublicOpinionReport.objects.visible_to(user)
        .select_related("area", "submitted_by")
        .prefetch_related(
            AUTHORS,
            ADOPTIONS,
            Prefetch("instructions", queryset=Instruction.objects.order_by("given_on", "pk")),
        )
    )


ITEMS = Prefetch(
    "items", queryset=OutcomeItem.objects.select_related("unit").order_by("due_on", "pk")
)


def outcome_list(*, user) -> QuerySet:
    return (
        Outcome.objects.visible_to(user)
        .select_related("area", "recipient_unit")
        .annotate(
            instruction_count=Count("instructions", distinct=True),
            item_count=Count("items", distinct=True),
            item_done=Count("items", filter=Q(items__done_on__isnull=False), distinct=True),
        )
        .order_by("-date", "-pk")
    )


def outcome_detail_queryset(*, user) -> QuerySet:
    return (
        Outcome.objects.visible_to(user)
        .select_related("area", "recipient_unit")
        .prefetch_related(
            ITEMS,
            Prefetch("instructions", queryset=Instruction.objects.order_by("given_on", "pk")),
            Prefetch("consultations", queryset=_sessions()),
            "topics",
        )
    )


def _sessions():
    from topics.models import Consultation

    return Consultation.objects.select_related("venue").order_by("-held_at", "-pk")


def outcomes_from(*, user, topic=None, consultation=None) -> list[Outcome]:
    """The outcomes drawn from a topic or a session, with their items and 批示 (three queries),
    for the small block on those pages; the outcomes the user may see only."""
    rows = Outcome.objects.visible_to(user)
    rows = (
        rows.filter(topics=topic) if topic is not None else rows.filter(consultations=consultation)
    )
    return list(
        rows.select_related("recipient_unit")
        .prefetch_related(
            ITEMS, Prefetch("instructions", queryset=Instruction.objects.order_by("given_on", "pk"))
        )
        .order_by("-date", "-pk")
    )
