"""Consultation sessions (协商活动): the list and a session's page."""

from django.views.generic import DetailView, ListView

from consult_portal.lists import Column, EmptyState, FilteredListMixin, maybe_reverse
from consult_portal.views import RoleRequiredMixin

from ..exports import CONSULTATION_EXPORT
from ..filters import ConsultationFilter
from ..permissions import consultation_policy
from ..selectors import consultation_detail_queryset, consultation_list
from .topic import ALL_ROLES


class ConsultationListView(FilteredListMixin, ListView):
    template_name = "topics/consultation_list.html"
    context_object_name = "consultations"
    filterset_class = ConsultationFilter
    export_spec = CONSULTATION_EXPORT
    default_sort = "-held_at"  # the selector's -held_at, -pk
    columns = [
        Column("held_at", "时间", ("held_at",), desc_first=True),
        Column("title", "主题", ("title",)),
        Column("venue", "阵地", ("venue__name",)),
        Column("form", "形式", ("form",)),
        Column("present", "出席委员", ("present_count",), desc_first=True),
        Column("topics", "议题数", ("topic_count",), desc_first=True),
        Column("minutes", "纪要"),
    ]

    def get_base_queryset(self):
        return consultation_list(user=self.request.user)

    def get_empty_state(self):
        return EmptyState(
            noun="协商活动",
            hint="每次在阵地开展协商后,登记时间、出席委员、讨论的议题和协商成果。",
            action_label="去登记协商活动",
            # Only those who may write get the button; leaders read.
            action_url=maybe_reverse("topics:consultation_create")
            if consultation_policy.user_can(self.request.user, "change")
            else None,
        )


class ConsultationDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = ALL_ROLES
    template_name = "topics/consultation_detail.html"
    context_object_name = "consultation"

    def get_queryset(self):
        return consultation_detail_queryset(user=self.request.user)
