from django.views.generic import DetailView, ListView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin, ScopedListMixin
from topics.models import Consultation, Topic

from .models import StandardItem, VenueKind
from .selectors import venue_detail_queryset, venue_list


class VenueListView(ScopedListMixin, ListView):
    template_name = "platforms/venue_list.html"
    context_object_name = "venues"

    def get_queryset(self):
        return venue_list(
            user=self.request.user,
            q=self.request.GET.get("q", "").strip(),
            kind=self.request.GET.get("kind", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = VenueKind.choices
        context["kind"] = self.request.GET.get("kind", "")
        return context


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
