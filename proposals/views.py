"""Pages for 社情民意 and 协商成果: the office's lists and detail pages (scoped to its area,
404 outside), and the member's own reports from their phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView

from consult_portal.forms import attach_errors
from consult_portal.lists import Column, EmptyState, FilteredListMixin
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from members.models import Member

from . import services
from .exports import OUTCOME_EXPORT, REPORT_EXPORT
from .filters import OutcomeFilter, ReportFilter
from .forms import (
    AdoptionForm,
    FollowUpForm,
    InstructionForm,
    IssueForm,
    OutcomeForm,
    OutcomeItemForm,
    RejectForm,
    ReportEnterForm,
    ReportSubmitForm,
    SendForm,
)
from .models import OutcomeItem, ReportStatus
from .permissions import outcome_policy, report_policy
from .selectors import (
    outcome_detail_queryset,
    outcome_list,
    report_detail_queryset,
    report_list,
)

# --- 社情民意: the office -------------------------------------------------------------------


class ReportListView(FilteredListMixin, ListView):
    allowed_roles = report_policy.roles_for("read_list")
    template_name = "proposals/report_list.html"
    context_object_name = "reports"
    filterset_class = ReportFilter
    export_spec = REPORT_EXPORT
    default_sort = "-submitted_on"
    columns = [
        Column("issue", "期号", ("issue_year", "issue_number"), nullable=True, desc_first=True),
        Column("title", "标题", ("title",)),
        Column("authors", "作者"),
        Column("submitted_on", "提交日期", ("submitted_on",), desc_first=True),
        Column("status", "状态", ("status",)),
        Column("adoptions", "采用"),
        Column("instructions", "批示", ("instruction_count",), desc_first=True),
    ]

    def get_base_queryset(self):
        return report_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_enter=report_policy.user_has_permission(self.request.user, "change"), **kwargs
        )

    def get_empty_state(self):
        return EmptyState(noun="社情民意", hint="委员在手机上报送的社情民意会出现在这里。")


def _area_members(user):
    """Members the office may name as authors: the committees of its area."""
    from consult_portal.roles import scope_for

    return (
        Member.objects.active()
        .filter(scope_for(user).area_q("area"))
        .select_related("area")
        .order_by("name", "pk")
    )


class ReportEnterView(RoleRequiredMixin, FormView):
    allowed_roles = report_policy.roles_for("change")
    template_name = "proposals/report_form.html"
    form_class = ReportEnterForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "members": _area_members(self.request.user)}

    def form_valid(self, form):
        from platforms.models import Area

        data = form.cleaned_data
        authors = list(data["authors"])
        # A <select multiple> keeps the list's order, not the order of clicks: the first author
        # is the first chosen in the list (the office corrects the order in the admin).
        try:
            if authors:
                area = authors[0].area
            elif self.scope.area_id is not None:
                area = Area.objects.get(pk=self.scope.area_id)
            else:
                raise ValidationError({"authors": "请选择作者,或用区划账号登记办公室编写的信息。"})
            report = services.report_enter(
                actor=self.request.user,
                area=area,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                submitted_on=data["submitted_on"],
                authors=authors,
            )
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "已登记。")
        return redirect("proposals:report_detail", pk=report.pk)


class ReportDetailView(RoleRequiredMixin, DetailView):
    """One report: staff of its area act on it through the forms below; leaders and its own
    authors read it; anyone else gets 404."""

    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)
    template_name = "proposals/report_detail.html"
    context_object_name = "report"

    FORMS = {
        "issue": IssueForm,
        "send": SendForm,
        "reject": RejectForm,
        "adopt": AdoptionForm,
        "instruction": InstructionForm,
    }

    def get_queryset(self):
        return report_detail_queryset(user=self.request.user)

    def initial_forms(self, report):
        today = timezone.localdate()
        return {
            "issue": IssueForm(
                initial={
                    "issue_year": report.issue_year or today.year,
                    "issue_number": report.issue_number,
                }
            ),
            "send": SendForm(initial={"sent_on": today}),
            "reject": RejectForm(),
            "adopt": AdoptionForm(initial={"adopted_on": today}),
            "instruction": InstructionForm(initial={"given_on": today}),
        }

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        can_change = report_policy.user_can(self.request.user, "change", report)
        context["can_change"] = can_change
        if can_change:
            context["forms"] = {**self.initial_forms(report), **(forms or {})}
        context["statuses"] = ReportStatus
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        report = self.object
        if not report_policy.user_can(request.user, "change", report):
            raise PermissionDenied("只有本级政协办公室可以处理这条社情民意。")
        action = request.POST.get("action", "")
        if action not in self.FORMS:
            raise PermissionDenied("未知操作。")
        form = self.FORMS[action](request.POST)
        if form.is_valid():
            try:
                data = {k: v for k, v in form.cleaned_data.items() if k != "action"}
                self.act(action, report, data)
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, "已保存。")
                return redirect("proposals:report_detail", pk=report.pk)
        context = self.get_context_data(object=report, forms={action: form})
        return self.render_to_response(context, status=400)

    def act(self, action, report, data):
        user = self.request.user
        if action == "issue":
            services.report_set_issue(actor=user, report=report, **data)
        elif action == "send":
            services.report_send(actor=user, report=report, **data)
        elif action == "reject":
            services.report_reject(actor=user, report=report, **data)
        elif action == "adopt":
            services.report_adopt(actor=user, report=report, **data)
        elif action == "instruction":
            services.report_instruction_add(actor=user, report=report, **data)


# --- 社情民意: the member ------------------------------------------------------------------


class MemberReportMixin(RoleRequiredMixin):
    allowed_roles = report_policy.roles_for("submit")

    def get_member(self) -> Member:
        member = services.submitting_member(self.request.user)
        if member is None:
            raise PermissionDenied("您的委员档案已停用,不能报送社情民意。")
        return member


class MyReportsView(MemberReportMixin, ListView):
    """我的社情民意: the reports the member wrote or signed, newest first."""

    template_name = "proposals/my_reports.html"
    context_object_name = "reports"
    paginate_by = 25

    def get_queryset(self):
        self.member = self.get_member()
        return report_list(user=self.request.user)


class MyReportSubmitView(MemberReportMixin, FormView):
    template_name = "proposals/my_report_form.html"
    form_class = ReportSubmitForm

    def get_form_kwargs(self):
        self.member = self.get_member()
        return {**super().get_form_kwargs(), "member": self.member}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.report_submit(
                actor=self.request.user,
                member=self.member,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                cosigners=list(data["cosigners"]),
            )
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "已报送,政协办公室编辑后将编入《社情民意》。")
        return redirect("proposals:my_reports")


# --- 协商成果 ------------------------------------------------------------------------------


class OutcomeListView(FilteredListMixin, ListView):
    allowed_roles = outcome_policy.roles_for("read_list")
    template_name = "proposals/outcome_list.html"
    context_object_name = "outcomes"
    filterset_class = OutcomeFilter
    export_spec = OUTCOME_EXPORT
    default_sort = "-date"
    columns = [
        Column("title", "标题", ("title",)),
        Column("kind", "类型", ("kind",)),
        Column("date", "成文日期", ("date",), desc_first=True),
        Column("recipient", "报送对象"),
        Column("instructions", "批示", ("instruction_count",), desc_first=True),
        Column("items", "采纳事项(已落实/共)"),
    ]

    def get_base_queryset(self):
        return outcome_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_enter=outcome_policy.user_has_permission(self.request.user, "change"), **kwargs
        )

    def get_empty_state(self):
        return EmptyState(
            noun="协商成果", hint="协商建议、要报、建议案和调研报告登记后在这里跟踪。"
        )


class OutcomeCreateView(RoleRequiredMixin, FormView):
    allowed_roles = outcome_policy.roles_for("change")
    template_name = "proposals/outcome_form.html"
    form_class = OutcomeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = {"date": timezone.localdate()}
        if self.request.GET.get("consultation"):
            initial["consultations"] = self.request.GET.getlist("consultation")
        if self.request.GET.get("topic"):
            initial["topics"] = self.request.GET.getlist("topic")
        return initial

    def form_valid(self, form):
        from platforms.models import Area

        data = form.cleaned_data
        try:
            if self.scope.area_id is None:
                raise ValidationError("请用区划账号登记协商成果。")
            outcome = services.outcome_create(
                actor=self.request.user, area=Area.objects.get(pk=self.scope.area_id), **data
            )
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "已登记协商成果。")
        return redirect("proposals:outcome_detail", pk=outcome.pk)


class OutcomeDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = outcome_policy.roles_for("read_list")
    template_name = "proposals/outcome_detail.html"
    context_object_name = "outcome"

    def get_queryset(self):
        return outcome_detail_queryset(user=self.request.user)

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        outcome = self.object
        can_change = outcome_policy.user_can(self.request.user, "change", outcome)
        context["can_change"] = can_change
        if can_change:
            today = timezone.localdate()
            context["forms"] = {
                "instruction": InstructionForm(initial={"given_on": today}),
                "item": OutcomeItemForm(user=self.request.user),
                **(forms or {}),
            }
            context["followup_forms"] = {
                item.pk: (forms or {}).get(f"followup-{item.pk}")
                or FollowUpForm(
                    prefix=f"f{item.pk}",
                    initial={"progress": item.progress, "done_on": item.done_on},
                )
                for item in outcome.items.all()
            }
        return context

    def post(self, request, *args, **kwargs):
        self.object = outcome = self.get_object()
        if not outcome_policy.user_can(request.user, "change", outcome):
            raise PermissionDenied("只有本级政协办公室可以处理这份协商成果。")
        action = request.POST.get("action", "")
        user = request.user
        if action == "instruction":
            key, form = action, InstructionForm(request.POST)
            call = lambda d: services.outcome_instruction_add(actor=user, outcome=outcome, **d)  # noqa: E731
        elif action == "item":
            key, form = action, OutcomeItemForm(request.POST, user=user)
            call = lambda d: services.outcome_item_add(actor=user, outcome=outcome, **d)  # noqa: E731
        elif action == "followup":
            item = get_object_or_404(
                OutcomeItem.objects.filter(outcome=outcome), pk=request.POST.get("item")
            )
            key, form = f"followup-{item.pk}", FollowUpForm(request.POST, prefix=f"f{item.pk}")
            call = lambda d: services.outcome_item_follow_up(actor=user, item=item, **d)  # noqa: E731
        else:
            raise PermissionDenied("未知操作。")
        if form.is_valid():
            try:
                call({k: v for k, v in form.cleaned_data.items() if k != "action"})
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, "已保存。")
                return redirect("proposals:outcome_detail", pk=outcome.pk)
        context = self.get_context_data(object=outcome, forms={key: form})
        return self.render_to_response(context, status=400)
