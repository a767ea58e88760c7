"""Duty rota pages (issue 5, item 2): the staff month grid and the member's confirm / decline."""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from platforms.models import Venue

from .models import DutyShift
from .rota import WRITE_ROLES, month_days, rota_generate, shift_confirm, shift_decline


class RotaView(RoleRequiredMixin, TemplateView):
    """GET: the month grid (staff and leaders of the area). POST: generate (office / admin)."""

    template_name = "members/rota.html"

    def setup_month(self):
        self.venue = get_object_or_404(
            Venue.objects.visible_to(self.request.user).select_related("area"),
            pk=self.kwargs["venue_pk"],
        )
        year, month = self.kwargs["year"], self.kwargs["month"]
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise Http404("没有这个月份。")
        self.year, self.month = year, month

    def get(self, request, *args, **kwargs):
        self.setup_month()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_month()
        if self.scope.role not in WRITE_ROLES:
            raise PermissionDenied("只有政协办公室可以排班。")
        try:
            shifts = rota_generate(
                actor=request.user,
                venue=self.venue,
                year=self.year,
                month=self.month,
                replace=request.POST.get("replace") == "1",
            )
        except ValidationError as error:
            messages.error(request, "未能生成排班:" + " ".join(error.messages))
        else:
            messages.success(request, f"已生成 {len(shifts)} 个班次,委员在首页即可看到并确认。")
        return redirect("members:rota", venue_pk=self.venue.pk, year=self.year, month=self.month)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = datetime.date(self.year, self.month, 1)
        last = datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        shifts = list(
            DutyShift.objects.visible_to(self.request.user)
            .filter(venue=self.venue, date__range=(first, last))
            .select_related("member")
            .order_by("date", "slot", "pk")
        )
        by_day: dict[datetime.date, list[DutyShift]] = {}
        for shift in shifts:
            by_day.setdefault(shift.date, []).append(shift)
        weeks = [
            [
                {"date": day, "in_month": day.month == self.month, "shifts": by_day.get(day, [])}
                for day in week
            ]
            for week in calendar.Calendar().monthdatescalendar(self.year, self.month)
        ]
        rota_days = set(month_days(self.year, self.month))
        days = [
            {"date": day, "shifts": by_day.get(day, [])} for day in sorted(rota_days | set(by_day))
        ]
        prev_month = first - datetime.timedelta(days=1)
        next_month = last + datetime.timedelta(days=1)
        context.update(
            venue=self.venue,
            year=self.year,
            month=self.month,
            weeks=weeks,
            days=days,
            has_shifts=bool(shifts),
            can_plan=self.scope.role in WRITE_ROLES,
            prev_month=prev_month,
            next_month=next_month,
            weekday_names=["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
        )
        return context


class RotaCurrentView(RoleRequiredMixin, View):
    """GET: this month's rota of a venue (the link on the venue page)."""

    def get(self, request, venue_pk):
        venue = get_object_or_404(Venue.objects.visible_to(request.user), pk=venue_pk)
        today = timezone.localdate()
        return redirect("members:rota", venue_pk=venue.pk, year=today.year, month=today.month)


class ShiftAnswerView(RoleRequiredMixin, View):
    """POST only: a member confirms their own shift or asks for a swap; anyone else's is 404."""

    allowed_roles = (Role.MEMBER,)
    http_method_names = ["post"]
    action = "confirm"

    def post(self, request, pk):
        shift = get_object_or_404(
            DutyShift.objects.filter(member__user=request.user, member_id=self.scope.member_id),
            pk=pk,
        )
        service = shift_confirm if self.action == "confirm" else shift_decline
        try:
            service(actor=request.user, shift=shift)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if self.action == "confirm":
                messages.success(request, f"已确认 {shift.date:%m月%d日} 的值日。")
            else:
                messages.success(request, "已申请调班,政协办公室会重新安排。")
        return redirect("home")
