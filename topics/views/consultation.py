"""Consultation sessions (协商活动): the list and a session's page."""

from django.views.generic import DetailView, ListView

from consult_portal.views import RoleRequiredMixin, ScopedListMixin

from ..selectors import consultation_detail_queryset, consultation_list
from .topic import ALL_ROLES


class ConsultationListView(ScopedListMixin, ListView):
    template_name = "topics/consultation_list.html"
    context_object_name = "consultations"

    def get_queryset(self):
        return consultation_list(user=self.request.user, q=self.request.GET.get("q", "").strip())


class ConsultationDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = ALL_ROLES
    template_name = "topics/consultation_detail.html"
    context_object_name = "consultation"

    def get_queryset(self):
        return consultation_detail_queryset(user=self.request.user)
