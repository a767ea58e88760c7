from django.views.generic import DetailView, ListView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin, ScopedListMixin

from .selectors import attendance_summary, member_detail_queryset, member_list


class MemberListView(ScopedListMixin, ListView):
    template_name = "members/member_list.html"
    context_object_name = "members"

    def get_queryset(self):
        return member_list(user=self.request.user, q=self.request.GET.get("q", "").strip())


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
