from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, ListView

from consult_portal.forms import attach_errors
from consult_portal.lists import Column, EmptyState, FilteredListMixin, maybe_reverse
from consult_portal.views import RoleRequiredMixin

from .exports import VENUE_EXPORT
from .filters import VenueFilter
from .forms import VenueForm, VenueStandardForm
from .models import SIX_STANDARDS, StandardItem, Venue
from .permissions import can_edit_venue, venue_policy
from .selectors import venue_list
from .services import (
    venue_create,
    venue_deactivate,
    venue_reactivate,
    venue_record_standard,
    venue_update,
)


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


# --- Venue page writes (issue 4, item 2): create, edit, "六有", deactivate / reactivate ---


class VenueWriteMixin(RoleRequiredMixin):
    """Office staff and administrators only; another area's venue is 404."""

    allowed_roles = venue_policy.roles_for("change")

    def get_venue(self) -> Venue:
        venue = get_object_or_404(
            Venue.objects.visible_to(self.request.user).select_related("area", "brand"),
            pk=self.kwargs["pk"],
        )
        if not can_edit_venue(self.request.user, venue):
            raise PermissionDenied("您没有权限修改该阵地。")
        return venue


class VenueCreateView(VenueWriteMixin, FormView):
    template_name = "platforms/venue_form.html"
    form_class = VenueForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            venue = venue_create(actor=self.request.user, **form.service_fields())
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"已新建阵地“{venue.name}”。")
        return redirect("platforms:venue_detail", pk=venue.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading="新建阵地", **kwargs)


class VenueObjectMixin(VenueWriteMixin):
    """Load the venue (404 out of scope) once the role check has passed, before the form."""

    def get(self, request, *args, **kwargs):
        self.venue = self.get_venue()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.venue = self.get_venue()
        return super().post(request, *args, **kwargs)


class VenueEditView(VenueObjectMixin, FormView):
    template_name = "platforms/venue_form.html"
    form_class = VenueForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.venue}

    def form_valid(self, form):
        try:
            venue = venue_update(actor=self.request.user, venue=self.venue, **form.service_fields())
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "阵地信息已保存。")
        return redirect("platforms:venue_detail", pk=venue.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading="编辑阵地", venue=self.venue, **kwargs)


class VenueStandardView(VenueObjectMixin, FormView):
    """Record when the venue met one of 有阵地 / 有标识 / 有制度 / 有流程."""

    template_name = "platforms/venue_standard_form.html"
    form_class = VenueStandardForm

    def get_initial(self):
        item = self.request.GET.get("item", "")
        return {"item": item} if item in StandardItem.values else {}

    def form_valid(self, form):
        try:
            record = venue_record_standard(
                actor=self.request.user, venue=self.venue, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"已登记“{record.get_item_display()}”。")
        return redirect("platforms:venue_detail", pk=self.venue.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=self.venue, six_standards=SIX_STANDARDS, **kwargs)


class VenueActiveView(VenueWriteMixin, View):
    """POST only: deactivate or reactivate; the venue and everything about it stay."""

    http_method_names = ["post"]
    active = False

    def post(self, request, pk):
        venue = self.get_venue()
        if self.active:
            venue_reactivate(actor=request.user, venue=venue)
            messages.success(request, f"阵地“{venue.name}”已恢复使用。")
        else:
            venue_deactivate(actor=request.user, venue=venue)
            messages.success(request, f"阵地“{venue.name}”已停用,历史记录全部保留。")
        return redirect("platforms:venue_detail", pk=venue.pk)
