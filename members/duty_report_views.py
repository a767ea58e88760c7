"""Self-reported duties (委员自报) and the office's review queue (issue 5, item 3).

A member reports a duty from their phone; it waits as 待审核 until the office of the member's own
committee confirms it (it then counts) or returns it with a reason. Members reach only their own
reports (another member's id is 404); staff reach only the reports of members whose file they
may edit.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, ListView, TemplateView

from consult_portal.forms import attach_errors
from consult_portal.views import RoleRequiredMixin

from .duty_services import (
    MEMBER_EDITABLE,
    REPORT_FIELDS,
    duty_report,
    duty_report_update,
    duty_report_withdraw,
    duty_review,
    report_version,
    reporting_member,
)
from .models import Duty, DutyStatus
from .permissions import duty_policy
from .point_forms import DutyReportForm, DutyReviewForm

REVIEW_PAGE_SIZE = 25


class MemberOnlyMixin(RoleRequiredMixin):
    allowed_roles = duty_policy.roles_for("report")

    def get_member(self):
        member = reporting_member(self.request.user)
        if member is None:
            raise PermissionDenied("您的委员档案已停用,不能填报履职。")
        return member


class MyDutiesView(MemberOnlyMixin, ListView):
    """我的履职: every duty on the member's record, whoever entered it, newest first."""

    template_name = "members/my_duties.html"
    context_object_name = "duties"
    paginate_by = 25

    def get_queryset(self):
        self.member = self.get_member()
        return (
            Duty.objects.filter(member=self.member).select_related("venue").order_by("-date", "-pk")
        )

    def get_context_data(self, **kwargs):
        counts = Duty.objects.filter(member=self.member).aggregate(
            submitted=Count("pk", filter=Q(status=DutyStatus.SUBMITTED)),
            returned=Count("pk", filter=Q(status=DutyStatus.RETURNED)),
        )
        return super().get_context_data(
            member=self.member, counts=counts, editable=MEMBER_EDITABLE, **kwargs
        )


class MyDutyAddView(MemberOnlyMixin, FormView):
    template_name = "members/my_duty_form.html"
    form_class = DutyReportForm

    def get(self, request, *args, **kwargs):
        self.member = self.get_member()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.member = self.get_member()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "member": self.member}

    def save(self, form):
        return duty_report(actor=self.request.user, **form.cleaned_data)

    def form_valid(self, form):
        try:
            self.save(form)
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "已提交,政协办公室审核认定后计入履职积分。")
        return redirect("members:my_duties")

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)


class MyDutyObjectMixin(MemberOnlyMixin):
    """The member's own report; anybody else's duty is 404, a confirmed one says why."""

    def get_duty(self) -> Duty:
        self.member = self.get_member()
        return get_object_or_404(
            Duty.objects.filter(member=self.member).select_related("venue"), pk=self.kwargs["pk"]
        )


class MyDutyEditView(MyDutyObjectMixin, MyDutyAddView):
    def get(self, request, *args, **kwargs):
        self.duty = self.get_duty()
        if self.duty.status not in MEMBER_EDITABLE:
            return self._locked()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.duty = self.get_duty()
        if self.duty.status not in MEMBER_EDITABLE:
            return self._locked()
        return super().post(request, *args, **kwargs)

    def _locked(self):
        messages.error(
            self.request,
            f"这条履职记录{self.duty.get_status_display()},不能再修改;如有错误请联系政协办公室。",
        )
        return redirect("members:my_duties")

    def get_initial(self):
        return {name: getattr(self.duty, name) for name in REPORT_FIELDS}

    def save(self, form):
        return duty_report_update(actor=self.request.user, duty=self.duty, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(duty=self.duty, **kwargs)


class MyDutyWithdrawView(MyDutyObjectMixin, TemplateView):
    """GET: a confirmation page; POST: withdraw (the version stays in the history)."""

    template_name = "members/my_duty_withdraw.html"

    def get(self, request, *args, **kwargs):
        self.duty = self.get_duty()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.duty = self.get_duty()
        try:
            duty_report_withdraw(actor=request.user, duty=self.duty)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("members:my_duties")
        messages.success(request, f"已撤回“{self.duty.title}”。")
        return redirect("members:my_duties")

    def get_context_data(self, **kwargs):
        return super().get_context_data(duty=self.duty, **kwargs)


class DutyReviewQueueView(RoleRequiredMixin, ListView):
    """履职审核: reports waiting for this office, oldest first, each confirmed or returned in one
    POST. An invalid return (no reason) re-renders the page with the message on that row and
    the other rows' typed text kept."""

    allowed_roles = duty_policy.roles_for("review")
    template_name = "members/duty_review.html"
    context_object_name = "duties"
    paginate_by = REVIEW_PAGE_SIZE

    def get_queryset(self):
        return (
            Duty.objects.reviewable_by(self.request.user)
            .filter(status=DutyStatus.SUBMITTED)
            .select_related("member", "venue")
            .order_by("date", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        failed = getattr(self, "failed", None)
        for duty in context["duties"]:
            if failed and failed[0] == duty.pk:
                duty.form = failed[1]
            else:
                duty.form = DutyReviewForm(prefix=f"d{duty.pk}")
            duty.version = report_version(duty)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["querystring"] = params.urlencode()
        return context

    def paginate_queryset(self, queryset, page_size):
        # After a review the queue is shorter: a page past the end shows the last one, not 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def post(self, request, *args, **kwargs):
        pk = request.POST.get("duty", "")
        # Any of this office's duties: one reviewed since the page was drawn gets a message;
        # another area's duty is 404.
        duty = get_object_or_404(
            Duty.objects.reviewable_by(request.user), pk=pk if pk.isdigit() else 0
        )
        form = DutyReviewForm(request.POST, prefix=f"d{duty.pk}")
        approve = request.POST.get("action") == "approve"
        if form.is_valid():
            try:
                duty_review(
                    actor=request.user,
                    duty=duty,
                    approve=approve,
                    expected_version=request.POST.get("version", ""),
                    note=form.cleaned_data["review_note"],
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    messages.error(request, " ".join(error.messages))
                    return redirect(request.get_full_path())
                attach_errors(form, error)
            else:
                verb = "已认定" if approve else "已退回"
                messages.success(request, f"{verb}:{duty.member.name}“{duty.title}”。")
                return redirect(request.get_full_path())
        self.failed = (duty.pk, form)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())
