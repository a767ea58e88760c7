"""A member's month of duty shifts as a calendar grid (issue 16): 我的值日 on a phone.

One query for the month's published shifts of the member (their own and those a colleague took
over from them); the grid is Monday-first weeks, each day cell naming the slots, with the list
of the month's shifts under it (the grid only says which days; the list says where)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .models import DutyShift, ShiftStatus
from .rota import month_bounds

WEEKDAY_HEADERS = ("一", "二", "三", "四", "五", "六", "日")


@dataclass
class DayCell:
    day: datetime.date | None  # None: padding before the 1st or after the last day
    shifts: list = field(default_factory=list)
    today: bool = False


def month_grid(year: int, month: int, shifts, today: datetime.date) -> list[list[DayCell]]:
    by_day: dict[datetime.date, list] = {}
    for shift in shifts:
        by_day.setdefault(shift.date, []).append(shift)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                DayCell(d, by_day.get(d, []), d == today) if d.month == month else DayCell(None)
                for d in week
            ]
        )
    return weeks


class MyShiftsMonthView(RoleRequiredMixin, TemplateView):
    allowed_roles = (Role.MEMBER,)
    template_name = "members/my_shifts.html"

    def get(self, request, *args, **kwargs):
        if "year" not in kwargs:
            today = timezone.localdate()
            return redirect("members:my_shifts_month", year=today.year, month=today.month)
        if not (2000 <= kwargs["year"] <= 2100 and 1 <= kwargs["month"] <= 12):
            raise Http404("没有这个月份。")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = kwargs["year"], kwargs["month"]
        first, last = month_bounds(year, month)
        today = timezone.localdate()
        member_id = self.scope.member_id
        shifts = list(
            DutyShift.objects.published()
            .filter(Q(member_id=member_id) | Q(swapped_from_id=member_id))
            .filter(date__gte=first, date__lte=last)
            .select_related("venue", "member")
            .order_by("date", "slot", "pk")
        )
        for shift in shifts:
            shift.covered_by_other = shift.member_id != member_id
        mine = [s for s in shifts if not s.covered_by_other]
        previous = first - datetime.timedelta(days=1)
        following = last + datetime.timedelta(days=1)
        context.update(
            {
                "year": year,
                "month": month,
                "weeks": month_grid(year, month, shifts, today),
                "weekday_headers": WEEKDAY_HEADERS,
                "shifts": shifts,
                "counted": sum(1 for s in mine if s.status != ShiftStatus.SWAP_REQUESTED),
                "previous": previous,
                "following": following,
                "this_month": (year, month) == (today.year, today.month),
            }
        )
        return context
