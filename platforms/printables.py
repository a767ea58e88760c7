"""Printables (issue 5, item 5): the venue's QR code to its public page. The A4 poster and the
members' contact cards that carry it list members too, so they are assembled in
``portal.venues``. Reads only; the venue comes from ``Venue.objects.visible_to(user)``."""

from __future__ import annotations

import io

import segno
from django.urls import reverse

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
