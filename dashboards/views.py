"""Leadership pages: every one shows a node of the area tree for a period."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .periods import period_from_request
from .scope import DashboardScope, resolve_scope

DASHBOARD_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER)


def node_of(scope: DashboardScope) -> str:
    return scope.key


def resolve_node(user, node: str) -> DashboardScope:
    """``a12`` → area 12, ``v34`` → venue 34; 404 above or beside the user's area."""
    kind, pk = node[0], int(node[1:])
    if kind == "v":
        return resolve_scope(user, venue_id=pk)
    return resolve_scope(user, area_id=pk)


class DashboardMixin(RoleRequiredMixin):
    """Resolves ``self.node`` (a ``DashboardScope``) and ``self.period`` for a dashboard page.

    Templates extend ``dashboards/base.html``, which draws the breadcrumb, the period picker and
    the tabs; set ``tab`` to the page's tab key.
    """

    allowed_roles = DASHBOARD_ROLES
    tab = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def setup_node(self):
        self.node = resolve_node(self.request.user, self.kwargs["node"])
        self.period, self.period_form = period_from_request(self.request)

    def get(self, request, *args, **kwargs):
        self.setup_node()
        return super().get(request, *args, **kwargs)

    def period_querystring(self) -> str:
        from django.utils.http import urlencode

        return urlencode(self.period.as_query())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            node=self.node,
            node_key=self.node.key,
            period=self.period,
            period_form=self.period_form,
            period_query=self.period_querystring(),
            breadcrumb=[{"name": a.name, "key": f"a{a.pk}"} for a in self.node.breadcrumb()],
            tab=self.tab,
        )
        return context


class OverviewView(DashboardMixin, TemplateView):
    """The dashboard of one node: tiles, child-area ranking (built on dashboards.figures)."""

    template_name = "dashboards/overview.html"
    tab = "overview"


class DashboardHomeView(RoleRequiredMixin, View):
    """/dashboard/ → the user's own area."""

    allowed_roles = DASHBOARD_ROLES

    def get(self, request):
        scope = resolve_scope(request.user)
        url = reverse("dashboards:overview", args=[scope.key])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
