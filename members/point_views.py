"""Pages for duties and points (issue 5, item 3): record a duty, the yearly point rules, the
ranking of members by points (with export)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView

from consult_portal import audit
from consult_portal.exports import EXPORT_FORMATS, export_response
from consult_portal.forms import attach_errors
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .duty_services import (
    DUTY_FIELDS,
    MEMBER_EDITABLE,
    can_edit_point_rules,
    can_record_duty,
    duty_delete,
    duty_record,
    duty_update,
    point_year_save,
    report_version,
)
from .models import Duty, DutyStatus, Member
from .permissions import duty_policy, member_policy
from .point_forms import (
    DutyForm,
    PointBandFormSet,
    PointRuleFormSet,
    RankingFilterForm,
    YearForm,
)
from .point_selectors import ranking, ranking_export_source, ranking_export_spec
from .points import bands_for_year, rules_for_year


class DutyAddView(RoleRequiredMixin, FormView):
    """Staff of the member's own committee record a duty; another area's member is 404."""

    allowed_roles = duty_policy.roles_for("change")
    template_name = "members/duty_form.html"
    form_class = DutyForm

    def _load(self):
        self.member = get_object_or_404(
            Member.objects.visible_to(self.request.user).select_related("area"),
            pk=self.kwargs["pk"],
        )
        if not can_record_duty(self.request.user, self.member):
            raise PermissionDenied("只有委员所属政协的办公室可以登记履职。")

    def get(self, request, *args, **kwargs):
        self._load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._load()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            duty_record(actor=self.request.user, member=self.member, **data)
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "履职记录已登记。")
        return redirect("members:detail", pk=self.member.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)


class DutyObjectMixin(RoleRequiredMixin):
    """A duty of a member the user may see; staff of another area get 404, staff who see the
    member but may not edit their file (another committee's member sent down here) get 403."""

    allowed_roles = duty_policy.roles_for("change")

    def _load(self):
        self.duty = get_object_or_404(
            Duty.objects.visible_to(self.request.user).select_related("member__area", "venue"),
            pk=self.kwargs["pk"],
        )
        self.member = self.duty.member
        if not can_record_duty(self.request.user, self.member):
            raise PermissionDenied("只有委员所属政协的办公室可以修改履职记录。")


class DutyEditView(DutyObjectMixin, DutyAddView):
    def get_initial(self):
        initial = {name: getattr(self.duty, name) for name in DUTY_FIELDS}
        if self.duty.status in MEMBER_EDITABLE:
            # Saving a member's report here confirms it (修改后认定).
            initial |= {"status": DutyStatus.DONE, "version": report_version(self.duty)}
        return initial

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", "")
        try:
            duty_update(actor=self.request.user, duty=self.duty, expected_version=version, **data)
        except ValidationError as error:
            if getattr(error, "code", None) == "stale":
                # Show what the member changed; saving again confirms that version.
                self.duty.refresh_from_db()
                self.member_version = self.duty
                form.data = form.data.copy()
                form.data[form.add_prefix("version")] = report_version(self.duty)
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "履职记录已修改。")
        back = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={self.request.get_host()}):
            return redirect(back)  # the review queue the edit was opened from
        return redirect("members:detail", pk=self.member.pk)

    def get_context_data(self, **kwargs):
        member_version = getattr(self, "member_version", None)
        return super().get_context_data(duty=self.duty, member_version=member_version, **kwargs)


class DutyDeleteView(DutyObjectMixin, TemplateView):
    """GET: a confirmation page; POST: delete (the version stays in the history)."""

    template_name = "members/duty_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        self._load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._load()
        duty_delete(actor=request.user, duty=self.duty)
        messages.success(request, f"已删除履职记录“{self.duty.title}”。")
        return redirect("members:detail", pk=self.member.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(duty=self.duty, member=self.member, **kwargs)


class PointRulesView(RoleRequiredMixin, TemplateView):
    """The year's point rules and bands (等次). Office staff read them; only those who may edit
    see a form. Rules and bands are saved together, or neither."""

    allowed_roles = member_policy.roles_for("point_rules")
    template_name = "members/point_rules.html"
    band_prefix = "band"

    def year(self) -> int:
        return YearForm(self.request.GET or None).year_or_current()

    def initial(self, year: int) -> list[dict]:
        return [{"kind": r.kind, "points": r.points, "cap": r.cap} for r in rules_for_year(year)]

    def band_initial(self, year: int) -> list[dict]:
        return [{"label": b.label, "lowest": b.lowest} for b in bands_for_year(year)]

    def get_context_data(self, formset=None, band_formset=None, **kwargs):
        year = kwargs.pop("year", None) or self.year()
        if formset is None:
            formset = PointRuleFormSet(initial=self.initial(year))
        if band_formset is None:
            band_formset = PointBandFormSet(
                initial=self.band_initial(year), prefix=self.band_prefix
            )
        return super().get_context_data(
            year=year,
            formset=formset,
            band_formset=band_formset,
            can_edit=can_edit_point_rules(self.request.user),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not can_edit_point_rules(request.user):
            raise PermissionDenied("只有管理员或市政协办公室可以修改积分规则。")
        year = self.year()
        formset = PointRuleFormSet(request.POST, initial=self.initial(year))
        # No initial here: a band row is wanted as posted, even if it matches a saved band another
        # editor added since this page was loaded (an unchanged extra row would be skipped).
        band_formset = PointBandFormSet(request.POST, prefix=self.band_prefix)
        # Validate both so every error shows at once; an invalid row re-renders all typed input.
        if not all([formset.is_valid(), band_formset.is_valid()]):
            return self.render_to_response(
                self.get_context_data(formset=formset, band_formset=band_formset, year=year)
            )
        rules = {
            f.cleaned_data["kind"]: (f.cleaned_data["points"], f.cleaned_data["cap"])
            for f in formset
        }
        # The forms check what the services check, so a ValidationError here would be a bug.
        try:
            rules_changed, bands_changed = point_year_save(
                actor=request.user, year=year, rules=rules, bands=band_formset.bands()
            )
        except IntegrityError:
            # Another editor's first save of the year landed in between (SQLite, which has no
            # row locks): keep what this one typed and say so.
            messages.error(request, "他人刚刚保存了同一年度的规则,请核对后再保存一次。")
            return self.render_to_response(
                self.get_context_data(formset=formset, band_formset=band_formset, year=year)
            )
        messages.success(
            request,
            f"{year}年积分规则已保存(规则更新 {rules_changed} 项,等次变更 {bands_changed} 处)。",
        )
        return HttpResponseRedirect(f"{reverse('members:point_rules')}?year={year}")


class RankingView(RoleRequiredMixin, TemplateView):
    """Members ranked by this year's points, with their band; ?export=csv|xlsx downloads it."""

    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER)
    template_name = "members/ranking.html"

    def get(self, request, *args, **kwargs):
        self.filter_form = RankingFilterForm(request.GET or None, user=request.user)
        year = self.filter_form.year_or_current()
        area = self.filter_form.cleaned_data.get("area") if self.filter_form.is_valid() else None
        self.data = ranking(user=request.user, year=year, area=area)
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            audit.record_export(
                request, what=f"{year}年履职积分排名", rows=len(self.data["rows"]), fmt=fmt
            )
            return export_response(
                ranking_export_source(self.data["rows"]),
                spec=ranking_export_spec(year),
                fmt=fmt,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        params = self.request.GET.copy()
        params.pop("export", None)
        return super().get_context_data(
            filter_form=self.filter_form,
            query=params.urlencode(),
            can_edit_rules=can_edit_point_rules(self.request.user),
            **self.data,
            **kwargs,
        )
