"""The home page of each role, assembled from the apps below."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.generic import TemplateView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from dashboards.scope import resolve_scope
from topics.selectors import office_home

from .members import member_home


class HomeView(RoleRequiredMixin, TemplateView):
    """One URL, a home page per role. Leaders land on the dashboard of their own area, so
    their figures have one definition (``dashboards.figures``)."""

    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER, Role.UNIT)

    def get(self, request, *args, **kwargs):
        if self.scope.role == Role.UNIT:
            return redirect("topics:unit_home")
        if self.scope.role == Role.LEADER:
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


def favicon(request):
    """/favicon.ico → the icon's static address, looked up per request: in production the
    address carries the file's hash, known only once collectstatic has run (not at import)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
