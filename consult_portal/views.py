"""Base views: the role gate every page uses and the list-page mixin (the home page of each role
is assembled in ``portal.views``)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

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
