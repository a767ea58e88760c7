from django.views.generic import DetailView, ListView

from consult_portal.lists import Column, EmptyState, FilteredListMixin, maybe_reverse
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .exports import MEMBER_EXPORT
from .filters import MemberFilter
from .selectors import attendance_summary, member_detail_queryset, member_list


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


class MemberDetailView(RoleRequiredMixin, DetailView):
    """一人一档. A member may open only their own file (the scope sees to it)."""

    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)
    template_name = "members/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return member_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attendance"] = attendance_summary(member=self.object)
        return context
