"""Departments (承办单位): the list, with each department's open and overdue referrals."""

from django.views.generic import ListView

from consult_portal.lists import Column, EmptyState, FilteredListMixin, maybe_reverse

from ..exports import DEPARTMENT_EXPORT
from ..filters import DepartmentFilter
from ..selectors import department_list


class DepartmentListView(FilteredListMixin, ListView):
    template_name = "topics/department_list.html"
    context_object_name = "departments"
    filterset_class = DepartmentFilter
    export_spec = DEPARTMENT_EXPORT
    default_sort = "name"
    columns = [
        Column("name", "名称", ("name",)),
        Column("kind", "单位类型", ("kind",)),
        Column("area", "所属区划", ("area__path",)),
        Column("contact", "联系人"),
        Column("referrals", "累计交办", ("referral_count",), desc_first=True),
        Column("open", "在办交办", ("open_count",), desc_first=True),
        Column("overdue", "逾期交办", ("overdue_count",), desc_first=True),
        Column("active", "状态"),
    ]

    def get_base_queryset(self):
        return department_list(user=self.request.user)

    def get_empty_state(self):
        return EmptyState(
            noun="承办单位",
            hint="议题交办时选择的承办单位会在这里汇总在办和逾期的交办数。",
            action_label="在管理后台登记承办单位",
            action_url=maybe_reverse("admin:topics_department_add")
            if self.scope.everything
            else None,
        )
