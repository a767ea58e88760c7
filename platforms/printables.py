"""Printables (issue 5, item 5): the A4 venue poster with a QR code to its public page, and the
members' contact cards. Reads only; the venue comes from ``Venue.objects.visible_to(user)``."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

import segno
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from members.models import Assignment, DutyShift

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


def upcoming_duty_days(
    *, venue: Venue, member_ids: list[int], today: datetime.date | None = None, per_member: int = 3
) -> dict[int, list[DutyShift]]:
    """Each member's next published duty shifts at this venue (today on, at most ``per_member``
    each), by member id; one query for any number of members. Drafts of an unpublished rota
    month are left out, as on the member's own page; a shift a colleague took over belongs to
    the colleague now."""
    today = today or timezone.localdate()
    shifts = (
        DutyShift.objects.published()
        .filter(venue=venue, member_id__in=member_ids, date__gte=today)
        .annotate(
            nth=Window(RowNumber(), partition_by=[F("member_id")], order_by=[F("date"), F("slot")])
        )
        .filter(nth__lte=per_member)
        .order_by("member_id", "date", "slot")
    )
    by_member: dict[int, list[DutyShift]] = defaultdict(list)
    for shift in shifts:
        by_member[shift.member_id].append(shift)
    return dict(by_member)
