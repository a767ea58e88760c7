"""Base views: the role gate every page uses, and the home page of each role."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from members.selectors import member_home
from topics.selectors import office_home

from .roles import Role, scope_for

STAFF_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER)


class RoleRequiredMixin(LoginRequiredMixin):
    """Anonymous users go to the login page; signed-in users without an allowed role get 403."""

    allowed_roles: tuple[Role, ...] = STAFF_ROLES

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = scope_for(request.user)
        if self.scope.role not in self.allowed_roles or self.scope.sees_nothing:
            raise PermissionDenied("您的账号没有访问此页面的权限。")
        return super().dispatch(request, *args, **kwargs)


class HomeView(RoleRequiredMixin, TemplateView):
    """One URL, a home page per role. Leaders land on the dashboard of their own area, so
    their figures have one definition (``dashboards.figures``)."""

    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)

    def get(self, request, *args, **kwargs):
        if self.scope.role == Role.LEADER:
            from dashboards.scope import resolve_scope

            return redirect(reverse("dashboards:overview", args=[resolve_scope(request.user).key]))
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        return {Role.MEMBER: ["home/member.html"]}.get(self.scope.role, ["home/office.html"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.scope.role == Role.MEMBER:
            context.update(member_home(user=user))
        else:
            context.update(office_home(user=user))
        return context


class ScopedListMixin(RoleRequiredMixin):
    """A list page: 25 rows a page, keyword ``q`` kept in the pagination links."""

    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["querystring"] = params.urlencode()
        context["q"] = self.request.GET.get("q", "").strip()
        return context
