"""The one-person file (一人一档): the member page, which also lists the sessions the member
attended and the topics they raised (reads in ``portal.members``). Its URL keeps the
``members`` namespace (``portal.urls`` adds it there)."""

from __future__ import annotations

from django.views.generic import DetailView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from members.models import Member

from .members import member_page


class MemberDetailView(RoleRequiredMixin, DetailView):
    """一人一档. A member may open only their own file (the scope sees to it), and not edit it."""

    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)
    template_name = "members/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return Member.objects.visible_to(self.request.user).select_related("sector", "area", "user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(member_page(user=self.request.user, member=self.object))
        return context
