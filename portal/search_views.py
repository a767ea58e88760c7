"""GET /search/?q=…: the header search box (``portal.search``)."""

from __future__ import annotations

from django.shortcuts import redirect
from django.views.generic import TemplateView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .search import MAX_QUERY, clean_query, search, tracking_code_topic


class SearchView(RoleRequiredMixin, TemplateView):
    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)
    template_name = "portal/search.html"

    def get(self, request, *args, **kwargs):
        self.query = clean_query(request.GET.get("q", ""))
        # A tracking code the user may see goes straight to its topic.
        if self.query.text and (topic := tracking_code_topic(request.user, self.query.text)):
            return redirect("topics:detail", pk=topic.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        text = self.query.text
        groups = search(user=self.request.user, scope=self.scope, text=text) if text else []
        context.update(
            q=text,
            truncated=self.query.truncated,
            max_query=MAX_QUERY,
            groups=groups,
            found=any(group.rows for group in groups),
        )
        return context
