from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, ListView

from consult_portal.dates import day_label
from consult_portal.forms import attach_errors
from consult_portal.lists import Column, EmptyState, FilteredListMixin, maybe_reverse
from consult_portal.views import RoleRequiredMixin

from .exports import MEMBER_EXPORT
from .filters import MemberFilter
from .forms import AssignmentEndForm, AssignmentForm, MemberForm, MemberLeaveForm
from .models import Assignment, Member
from .permissions import (
    assignment_policy,
    can_edit_member,
    can_manage_assignment,
    leave_policy,
    member_policy,
)
from .selectors import member_list
from .services import (
    assignment_add,
    assignment_end,
    member_create,
    member_deactivate,
    member_leave_add,
    member_leave_remove,
    member_reactivate,
    member_update,
    shifts_during_leave,
)


class MemberListView(FilteredListMixin, ListView):
    template_name = "members/member_list.html"
    context_object_name = "members"
    filterset_class = MemberFilter
    export_spec = MEMBER_EXPORT
    default_sort = None  # the selector puts serving members first, then by name
    columns = [
        Column("name", "姓名", ("name",)),
        Column("sector", "界别", ("sector__sort_order", "sector__name")),
        Column("political_status", "政治面貌", ("political_status",)),
        Column("committee_level", "层级", ("committee_level",)),
        Column("area", "所属政协", ("area__path",)),
        Column("work_unit", "工作单位及职务", ("work_unit",)),
        Column("active", "状态", ("is_active",), desc_first=True),
    ]

    def get_base_queryset(self):
        return member_list(user=self.request.user)

    def get_empty_state(self):
        return EmptyState(
            noun="委员",
            hint="本级政协委员和下沉到本区阵地的委员会出现在这里。",
            action_label="在管理后台录入委员",
            action_url=maybe_reverse("admin:members_member_add") if self.scope.everything else None,
        )


# --- Member page writes (issue 4, item 3): create, edit, assignments, deactivate / reactivate ---


class MemberWriteMixin(RoleRequiredMixin):
    """Office staff and administrators only; a member outside the user's scope is 404."""

    allowed_roles = member_policy.roles_for("change")
    need_edit_rights = True

    def get_member(self) -> Member:
        member = get_object_or_404(
            Member.objects.visible_to(self.request.user).select_related("area", "sector"),
            pk=self.kwargs["pk"],
        )
        if self.need_edit_rights and not can_edit_member(self.request.user, member):
            raise PermissionDenied("该委员不属于本级政协,只能由其所属政协修改档案。")
        return member


class MemberObjectMixin(MemberWriteMixin):
    """Load the member once the role check has passed, before the form is built."""

    def get(self, request, *args, **kwargs):
        self.member = self.get_member()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.member = self.get_member()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)


class MemberCreateView(MemberWriteMixin, FormView):
    template_name = "members/member_form.html"
    form_class = MemberForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            member = member_create(actor=self.request.user, **form.service_fields())
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"已新增委员“{member.name}”。")
        return redirect("members:detail", pk=member.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading="新增委员", **kwargs)


class MemberEditView(MemberObjectMixin, FormView):
    template_name = "members/member_form.html"
    form_class = MemberForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.member}

    def form_valid(self, form):
        try:
            member_update(actor=self.request.user, member=self.member, **form.service_fields())
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "委员档案已保存。")
        return redirect("members:detail", pk=self.member.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading="编辑委员档案", **kwargs)


class AssignmentAddView(MemberObjectMixin, FormView):
    """Staff place any member they can see (a city member too) at a venue in their own area."""

    template_name = "members/assignment_form.html"
    form_class = AssignmentForm
    need_edit_rights = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"started_on": self.request.GET.get("started_on") or None}

    def form_valid(self, form):
        try:
            assignment_add(actor=self.request.user, member=self.member, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "已新增下沉记录。")
        return redirect("members:detail", pk=self.member.pk)


class AssignmentEndView(RoleRequiredMixin, View):
    """POST only: give an assignment its end date; the record stays."""

    allowed_roles = assignment_policy.roles_for("change")
    http_method_names = ["post"]

    def post(self, request, pk):
        assignment = get_object_or_404(
            Assignment.objects.visible_to(request.user).select_related("venue__area", "area"),
            pk=pk,
        )
        if not can_manage_assignment(request.user, assignment):
            raise PermissionDenied("您没有权限结束该下沉记录。")
        form = AssignmentEndForm(request.POST, assignment=assignment)
        if not form.is_valid():
            messages.error(request, "未能结束下沉:" + " ".join(form.errors.get("ended_on", [])))
        else:
            try:
                assignment_end(actor=request.user, assignment=assignment, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, "未能结束下沉:" + " ".join(error.messages))
            else:
                messages.success(request, "下沉记录已结束,历史保留。")
        return redirect("members:detail", pk=assignment.member_id)


class MemberActiveView(MemberWriteMixin, View):
    """POST only: deactivate (ending open assignments) or reactivate; nothing is deleted."""

    http_method_names = ["post"]
    active = False

    def post(self, request, pk):
        member = self.get_member()
        if self.active:
            member_reactivate(actor=request.user, member=member)
            messages.success(request, f"委员“{member.name}”已恢复在任。")
        else:
            member_deactivate(actor=request.user, member=member)
            messages.success(
                request, f"委员“{member.name}”已停用,在岗下沉已结束,历史记录全部保留。"
            )
        return redirect("members:detail", pk=member.pk)


class MemberLeaveAddView(MemberObjectMixin, FormView):
    """Staff record a leave for any member they can see; the rota skips the member then."""

    template_name = "members/leave_form.html"
    form_class = MemberLeaveForm
    need_edit_rights = False

    def form_valid(self, form):
        try:
            leave = member_leave_add(
                actor=self.request.user, member=self.member, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "已登记请假,自动排班将跳过这些日期。")
        held = [f"{day_label(s.date)}({s.venue.name})" for s in shifts_during_leave(leave)]
        if held:
            messages.warning(
                self.request,
                "请假期间仍有值班:" + "、".join(held) + ",请在排班表上改派。",
            )
        return redirect("members:detail", pk=self.member.pk)


class MemberLeaveDeleteView(RoleRequiredMixin, View):
    """POST only: remove a leave recorded by mistake."""

    allowed_roles = member_policy.roles_for("assign")
    http_method_names = ["post"]

    def post(self, request, pk):
        # Another office's leave of a shared member is visible but not this user's to remove.
        leave = get_object_or_404(leave_policy.instances_user_can(request.user, "change"), pk=pk)
        member_leave_remove(actor=request.user, leave=leave)
        messages.success(request, "已删除该请假记录。")
        return redirect("members:detail", pk=leave.member_id)
