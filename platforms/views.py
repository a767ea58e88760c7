from django.views.generic import DetailView, ListView

from consult_portal.lists import Column, EmptyState, FilteredListMixin, maybe_reverse
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from topics.models import Consultation, Topic

from .exports import VENUE_EXPORT
from .filters import VenueFilter
from .models import StandardItem
from .selectors import venue_detail_queryset, venue_list


class VenueListView(FilteredListMixin, ListView):
    template_name = "platforms/venue_list.html"
    context_object_name = "venues"
    filterset_class = VenueFilter
    export_spec = VENUE_EXPORT
    default_sort = None  # the selector puts venues in use first, then by name
    columns = [
        Column("name", "名称", ("name",)),
        Column("code", "编号", ("code",)),
        Column("kind", "类型", ("kind",)),
        Column("brand", "品牌", ("brand__name",), nullable=True),
        Column("area", "服务区域", ("area__path",)),
        Column("members", "在册委员", ("member_count",), desc_first=True),
        Column("active", "状态", ("is_active",), desc_first=True),
    ]

    def get_base_queryset(self):
        return venue_list(user=self.request.user)

    def get_empty_state(self):
        return EmptyState(
            noun="协商阵地",
            hint="本区的协商议事厅、委员工作室、协商驿站等登记后会出现在这里。",
            action_label="在管理后台登记阵地",
            action_url=maybe_reverse("admin:platforms_venue_add")
            if self.scope.everything
            else None,
        )


class VenueDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)
    template_name = "platforms/venue_detail.html"
    context_object_name = "venue"

    def get_queryset(self):
        return venue_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        venue = self.object
        records = {r.item: r for r in venue.standard_records.all()}
        context["standard_items"] = [(item, records.get(item)) for item in StandardItem]
        context["recent_sessions"] = (
            Consultation.objects.filter(venue=venue)
            .select_related("host")
            .order_by("-held_at")[:10]
        )
        context["open_topics"] = (
            Topic.objects.filter(venue=venue)
            .open()
            .select_related("category")
            .order_by("-raised_on")[:10]
        )
        return context
