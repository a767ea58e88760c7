"""Duty rota pages (issue 5, item 2): the staff month grid (generate, adjust, publish, mark
attendance) and the member's confirm / decline / take-over of a colleague's shift."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views import View
from django.views.generic import TemplateView

from consult_portal.dates import day_label
from consult_portal.forms import attach_errors
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from platforms.models import Venue

from .models import DutyShift, Member, ShiftSlot
from .permissions import rota_policy
from .rota import (
    ABSENCE_REASON_MAX,
    kept_visible_days,
    month_bounds,
    rota_generate,
    rota_publish,
    shift_add,
    shift_confirm,
    shift_decline,
    shift_mark,
    shift_reassign,
    shift_remove,
    shift_take,
)
from .rota_forms import RotaGenerateForm, ShiftAddForm, ShiftReassignForm
from .rota_selectors import rota_grid


class RotaView(RoleRequiredMixin, TemplateView):
    """GET: the month grid (staff and leaders of the area). POST (office / admin): generate,
    publish, or change one cell: reassign, add, remove a shift, mark attendance."""

    template_name = "members/rota.html"
    ACTIONS = ("generate", "publish", "reassign", "add", "remove", "mark")

    def setup_month(self):
        self.venue = get_object_or_404(
            Venue.objects.visible_to(self.request.user).select_related("area"),
            pk=self.kwargs["venue_pk"],
        )
        year, month = self.kwargs["year"], self.kwargs["month"]
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise Http404("没有这个月份。")
        self.year, self.month = year, month
        self.cell_error: dict | None = None
        self.generate_form: RotaGenerateForm | None = None

    def get(self, request, *args, **kwargs):
        self.setup_month()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_month()
        if not rota_policy.user_can(request.user, "plan"):
            raise PermissionDenied("只有政协办公室可以排班。")
        action = request.POST.get("action", "generate")
        if action not in self.ACTIONS:
            raise Http404("未知操作。")
        handled = getattr(self, f"do_{action}")(request)
        if handled is not None:
            return handled
        return self.render_to_response(self.get_context_data(), status=400)

    def _back(self, anchor: str = "main"):
        """Back to the grid, scrolled to ``anchor``: a changed day, or the top of the page (where
        messages show). Always explicit: a redirect without a fragment would keep the one the
        form was posted from and land on an unrelated day."""
        url = reverse("members:rota", args=[self.venue.pk, self.year, self.month])
        return HttpResponseRedirect(f"{url}#{anchor}")

    def _shift(self, request) -> DutyShift:
        first, last = month_bounds(self.year, self.month)
        return get_object_or_404(
            DutyShift.objects.visible_to(request.user)
            .filter(venue=self.venue, date__range=(first, last))
            .select_related("member", "venue"),
            pk=request.POST.get("shift") if str(request.POST.get("shift", "")).isdigit() else 0,
        )

    def _members_qs(self):
        return Member.objects.visible_to(self.request.user)

    def do_generate(self, request):
        form = RotaGenerateForm(request.POST, year=self.year, month=self.month)
        if not form.is_valid():
            self.generate_form = form  # re-rendered with the message and what was typed
            return None
        replace = form.cleaned_data["replace"]
        try:
            shifts = rota_generate(
                actor=request.user,
                venue=self.venue,
                year=self.year,
                month=self.month,
                replace=replace,
                skip=form.cleaned_data["skip"],
            )
        except ValidationError as error:
            messages.error(request, "未能生成排班:" + " ".join(error.messages))
            return self._back()
        messages.success(
            request, f"已生成 {len(shifts)} 个草稿班次;调整后请点“发布排班”,委员才能看到。"
        )
        kept = kept_visible_days(self.venue, self.year, self.month) if replace else []
        if kept:
            days = "、".join(f"{day.month}月{day.day}日" for day in kept)
            messages.info(
                request,
                f"{days}的班次委员已能看到,覆盖时予以保留(只有草稿会被重新生成);"
                "如需改动,请在该日逐格换人或移除。",
            )
        return self._back()

    def do_publish(self, request):
        try:
            rota_publish(actor=request.user, venue=self.venue, year=self.year, month=self.month)
        except ValidationError as error:
            messages.error(request, "未能发布:" + " ".join(error.messages))
        else:
            messages.success(
                request, f"{self.year}年{self.month}月排班已发布,委员可在首页查看并确认。"
            )
        return self._back()

    def do_reassign(self, request):
        shift = self._shift(request)
        form = ShiftReassignForm(request.POST, members_qs=self._members_qs())
        if form.is_valid():
            try:
                shift_reassign(
                    actor=request.user,
                    shift=shift,
                    member=form.cleaned_data["member"],
                    override=form.cleaned_data["override"],
                )
            except ValidationError as error:
                attach_errors(form, error)
                self.cell_error = self._error(f"shift-{shift.pk}", form, error)
                return None
            messages.success(
                request,
                f"{day_label(shift.date)}的值日已改由{form.cleaned_data['member'].name}担任。",
            )
            return self._back(f"day-{shift.date:%Y-%m-%d}")
        self.cell_error = self._error(f"shift-{shift.pk}", form)
        return None

    def do_add(self, request):
        form = ShiftAddForm(request.POST, members_qs=self._members_qs())
        day = form.data.get("date", "")
        if form.is_valid():
            day = form.cleaned_data["date"]
            try:
                shift_add(
                    actor=request.user,
                    venue=self.venue,
                    year=self.year,
                    month=self.month,
                    day=day,
                    member=form.cleaned_data["member"],
                    slot=form.cleaned_data["slot"],
                    override=form.cleaned_data["override"],
                )
            except ValidationError as error:
                attach_errors(form, error)
                self.cell_error = self._error(f"add-{day:%Y-%m-%d}", form, error)
                return None
            messages.success(request, f"已在{day_label(day)}添加值日。")
            return self._back(f"day-{day:%Y-%m-%d}")
        key = f"add-{day:%Y-%m-%d}" if isinstance(day, datetime.date) else f"add-{day}"
        self.cell_error = self._error(key, form)
        return None

    def do_remove(self, request):
        shift = self._shift(request)
        try:
            shift_remove(actor=request.user, shift=shift)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self._back()  # the message shows at the top
        messages.success(request, f"已移除{day_label(shift.date)}{shift.member.name}的值日。")
        return self._back(f"day-{shift.date:%Y-%m-%d}")

    def do_mark(self, request):
        shift = self._shift(request)
        try:
            marked = shift_mark(
                actor=request.user, shift=shift, attended=request.POST.get("attended") == "1"
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self._back()  # the message shows at the top
        messages.success(
            request,
            f"已登记{day_label(shift.date)}{shift.member.name}:{marked.get_status_display()}。",
        )
        return self._back(f"day-{shift.date:%Y-%m-%d}")

    @staticmethod
    def _error(key: str, form, error: ValidationError | None = None) -> dict:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        codes = {e.code for e in getattr(error, "error_list", [])} if error else set()
        if error is not None and hasattr(error, "error_dict"):
            codes = {e.code for errs in error.error_dict.values() for e in errs}
        return {
            "key": key,
            "messages": errors,
            "member": form.data.get("member", ""),
            "slot": form.data.get("slot", ""),
            "warning": "unavailable" in codes,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grid = rota_grid(user=self.request.user, venue=self.venue, year=self.year, month=self.month)
        error = self.cell_error
        members = [(str(m.pk), m.name) for m in grid["members"]]
        member_ids = {m.pk for m in grid["members"]}
        for cell in grid["cells"]:
            for shift in cell["shifts"]:
                # Rendered here, not in a template loop: 20 members × 21 shifts of <option>s.
                own = (
                    []
                    if shift.member_id in member_ids
                    else [(str(shift.member_id), shift.member.name)]
                )
                shift.member_options = _options(own + members, str(shift.member_id))
        if error:
            # The refused form re-renders in its cell, often far down a phone screen; the forms
            # post to their cell's fragment so the browser lands there, and the summary at the
            # top links to it (``anchor``) with the day's name.
            for cell in grid["cells"]:
                if error["key"] == f"add-{cell['date']:%Y-%m-%d}":
                    cell["error"] = error
                    error.update(matched=True, anchor=f"adding-{cell['date']:%Y-%m-%d}")
                    error["day"] = cell["date"]
                for shift in cell["shifts"]:
                    if error["key"] == f"shift-{shift.pk}":
                        shift.error = error
                        shift.member_options = _options(members, error["member"])
                        error.update(matched=True, anchor=f"shift-{shift.pk}", day=shift.date)
        context.update(
            grid,
            venue=self.venue,
            year=self.year,
            month=self.month,
            cell_error=error,
            generate_form=self.generate_form or RotaGenerateForm(year=self.year, month=self.month),
            can_plan=rota_policy.user_can(self.request.user, "plan"),
            slots=ShiftSlot.choices,
            # The add form of every day lists the same members: render the options once.
            member_options=_options(members, ""),
        )
        return context


def _options(members: list[tuple[str, str]], selected: str) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, " selected" if pk == selected else "", name) for pk, name in members),
    )


class RotaCurrentView(RoleRequiredMixin, View):
    """GET: this month's rota of a venue (the link on the venue page)."""

    def get(self, request, venue_pk):
        venue = get_object_or_404(Venue.objects.visible_to(request.user), pk=venue_pk)
        today = timezone.localdate()
        return redirect("members:rota", venue_pk=venue.pk, year=today.year, month=today.month)


class ShiftAnswerView(RoleRequiredMixin, View):
    """POST only: a member confirms their own shift; anyone else's is 404 (无法到岗 is
    ``ShiftDeclineView``)."""

    allowed_roles = (Role.MEMBER,)
    http_method_names = ["post"]
    action = "confirm"

    def post(self, request, pk):
        shift = get_object_or_404(
            DutyShift.objects.published().filter(
                member__user=request.user, member_id=self.scope.member_id
            ),
            pk=pk,
        )
        try:
            shift_confirm(actor=request.user, shift=shift)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"已确认{day_label(shift.date)}的值日。")
        return redirect("home")


class ShiftDeclineForm(forms.Form):
    reason = forms.CharField(
        label="无法到岗的原因",
        max_length=ABSENCE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="办公室会看到原因并安排替班,例如:出差、身体不适。",
        error_messages={"required": "请写明无法到岗的原因,方便办公室安排替班。"},
    )


class ShiftDeclineView(RoleRequiredMixin, View):
    """无法到岗: GET asks for confirmation and a reason (a page of its own, so it works on any
    phone without JavaScript); POST asks the office for a swap. Anyone else's shift is 404."""

    allowed_roles = (Role.MEMBER,)
    template_name = "members/shift_decline.html"

    def get_shift(self, request, pk):
        return get_object_or_404(
            DutyShift.objects.published()
            .filter(member__user=request.user, member_id=self.scope.member_id)
            .select_related("venue"),
            pk=pk,
        )

    def render_page(self, request, shift, form, status=200):
        return render(request, self.template_name, {"shift": shift, "form": form}, status=status)

    def get(self, request, pk):
        return self.render_page(request, self.get_shift(request, pk), ShiftDeclineForm())

    def post(self, request, pk):
        shift = self.get_shift(request, pk)
        form = ShiftDeclineForm(request.POST)
        if form.is_valid():
            try:
                shift_decline(actor=request.user, shift=shift, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    attach_errors(form, error)
                else:
                    messages.error(request, " ".join(error.messages))
                    return redirect("home")
            else:
                messages.success(request, "已申请调班,政协办公室会重新安排。")
                return redirect("home")
        return self.render_page(request, shift, form, status=400)


class ShiftTakeView(RoleRequiredMixin, View):
    """POST only: 我来替班. A shift at a venue the member is not assigned to is 404."""

    allowed_roles = (Role.MEMBER,)
    http_method_names = ["post"]

    def post(self, request, pk):
        shift = get_object_or_404(
            DutyShift.objects.published().filter(venue_id__in=self.scope.venue_ids), pk=pk
        )
        try:
            taken = shift_take(actor=request.user, shift=shift)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"已替班:{day_label(taken.date)}{taken.venue.name}的值日由您担任。"
            )
        return redirect("home")
