"""Topic pages: the list, a topic's page and the actions on it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, ListView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin, ScopedListMixin

from .. import lifecycle
from ..lifecycle import TopicStatus
from ..models import Topic
from ..permissions import can_move_topic
from ..selectors import topic_detail_queryset, topic_list
from ..services import topic_transition
from .topic_actions import FORM_MOVES, topic_page_context

ALL_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)


class TopicListView(ScopedListMixin, ListView):
    template_name = "topics/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return topic_list(
            user=self.request.user,
            q=self.request.GET.get("q", "").strip(),
            status=self.request.GET.get("status", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = TopicStatus.choices
        context["status"] = self.request.GET.get("status", "")
        return context


class TopicDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = ALL_ROLES
    template_name = "topics/topic_detail.html"
    context_object_name = "topic"

    def get_queryset(self):
        return topic_detail_queryset(user=self.request.user)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status == TopicStatus.MERGED and self.object.merged_into_id:
            messages.info(
                request,
                f"议题 #{self.object.pk}“{self.object.title}”已合并至本议题,"
                "以下为合并后的办理情况。",
            )
            return redirect("topics:detail", pk=self.object.merged_into_id)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(topic_page_context(self.request, self.object, scope=self.scope))
        return context


class TopicTransitionView(RoleRequiredMixin, View):
    """POST: apply one lifecycle move through the service; a refused move says why."""

    allowed_roles = (Role.ADMIN, Role.OFFICE)
    http_method_names = ["post"]

    def post(self, request, pk):
        topic = get_object_or_404(
            Topic.objects.visible_to(request.user).select_related("area"), pk=pk
        )
        if not can_move_topic(request.user, topic):
            raise PermissionDenied("您没有权限办理该议题。")
        to = request.POST.get("to", "")
        if to in FORM_MOVES:
            # 交办, 办结 and 评价 need more than a note: their own forms call their services.
            messages.error(
                request, f"“{lifecycle.ACTION_LABELS[to]}”需要填写表单,请在本页对应的表单中办理。"
            )
            return redirect("topics:detail", pk=topic.pk)
        try:
            topic_transition(
                topic=topic,
                actor=request.user,
                to=request.POST.get("to", ""),
                note=request.POST.get("note", ""),
                expected_from=request.POST.get("from") or None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        else:
            messages.success(request, f"议题已转为“{topic.get_status_display()}”。")
        return redirect("topics:detail", pk=topic.pk)
