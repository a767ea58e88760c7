"""Reads for venues."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from members.models import Assignment

from .models import Venue, VenueStandardRecord


def venue_list(*, user, q: str = "", kind: str = "") -> QuerySet[Venue]:
    qs = Venue.objects.visible_to(user).select_related("area", "brand")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(address__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(
        member_count=Count(
            "assignments", filter=Q(assignments__ended_on__isnull=True), distinct=True
        )
    ).order_by("-is_active", "name", "pk")


def venue_detail_queryset(*, user) -> QuerySet[Venue]:
    return (
        Venue.objects.visible_to(user)
        .select_related("area", "brand")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("member", "member__sector").order_by(
                    "ended_on", "role", "member__name"
                ),
            ),
            Prefetch("standard_records", queryset=VenueStandardRecord.objects.order_by("item")),
        )
    )
