"""Printables (issue 5, item 5): the A4 venue poster with a QR code to its public page, and the
members' contact cards. Reads only; the venue comes from ``Venue.objects.visible_to(user)``."""

from __future__ import annotations

import io

import segno
from django.db.models import QuerySet
from django.urls import reverse

from members.models import Assignment

from .models import Venue

QR_ERROR = "m"


def public_path(venue: Venue) -> str:
    """The venue's public page, ``/v/<code>/`` (short enough for a small QR code)."""
    return reverse("public:venue", args=[venue.code])


def venue_qr(url: str):
    return segno.make(url, error=QR_ERROR)


def venue_qr_svg(url: str) -> str:
    """Inline SVG markup, black on white, sized by CSS."""
    return venue_qr(url).svg_inline(scale=1, border=2, omitsize=True, title="阵地二维码")


def venue_qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    venue_qr(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def venue_members_for_print(*, venue: Venue) -> QuerySet[Assignment]:
    """Members currently assigned to the venue, conveners first; one query."""
    return (
        Assignment.objects.current()
        .filter(venue=venue, member__is_active=True)
        .select_related("member__sector")
        .order_by("role", "member__name", "pk")
    )
