"""Reads for venues. The venue page and its printables, which gather members' and topics'
records too, are assembled one layer up, in ``portal.venues``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Venue


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
