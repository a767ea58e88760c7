"""Reads for the rota month grid (issue 5, item 2): a fixed number of queries whatever the
number of members or shifts."""

from __future__ import annotations

import calendar
import datetime

from django.utils import timezone

from consult_portal.dates import day_label
from consult_portal.history import change_history
from consult_portal.people import person_name
from platforms.models import Venue

from .models import DutyShift, ShiftStatus
from .rota import month_bounds, month_days, published_month, rota_members

WEEKDAY_LABELS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def rota_grid(*, user, venue: Venue, year: int, month: int) -> dict:
    first, last = month_bounds(year, month)
    shifts = list(
        DutyShift.objects.visible_to(user)
        .filter(venue=venue, date__range=(first, last))
        .select_related("member", "swapped_from")
        .order_by("date", "slot", "pk")
    )
    by_day: dict[datetime.date, list[DutyShift]] = {}
    for shift in shifts:
        by_day.setdefault(shift.date, []).append(shift)
    rota_days = set(month_days(year, month))
    cells = [
        {
            "date": first + datetime.timedelta(days=offset),
            "shifts": by_day.get(first + datetime.timedelta(days=offset), []),
            "weekday": WEEKDAY_LABELS[(first + datetime.timedelta(days=offset)).weekday()],
            "rota_day": first + datetime.timedelta(days=offset) in rota_days,
        }
        for offset in range(calendar.monthrange(year, month)[1])
    ]
    versions = change_history(
        (
            DutyShift.history.filter(venue_id=venue.pk, date__range=(first, last)),
            lambda r: f"{day_label(r.date)} 值日({r.member.name if r.member else '—'})",
        ),
        limit=30,
    )
    published = published_month(venue, year, month)
    return {
        "cells": cells,
        "lead_blanks": range(first.weekday()),
        "has_shifts": bool(shifts),
        "has_drafts": any(s.status == ShiftStatus.DRAFT for s in shifts),
        "published": published,
        "published_by_name": (person_name(published.published_by, "—") if published else "—"),
        "members": rota_members(venue, first, last),
        "versions": versions,
        "weekday_names": WEEKDAY_LABELS,
        "prev_month": first - datetime.timedelta(days=1),
        "next_month": last + datetime.timedelta(days=1),
        "today": timezone.localdate(),
    }
