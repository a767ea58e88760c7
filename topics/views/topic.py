"""Topic pages: the list, a topic's page and the actions on it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, ListView

from consult_portal.lists import Column, EmptyState, FilteredListMixin, maybe_reverse
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .. import lifecycle, rules
from ..exports import TOPIC_EXPORT
from ..filters import TopicFilter
from ..lifecycle import TopicStatus
from ..models import Topic
from ..permissions import can_move_topic, consultation_policy, topic_policy
from ..selectors import topic_detail_queryset, topic_list, with_overdue_flag
from ..services import topic_transition
from .similar import topic_similar_context
from .topic_actions import topic_page_context

ALL_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)


# Columns of a topic the list never shows: its long texts and the resident's contact.
LIST_DEFERRED = (
    "description",
    "resolution_summary",
    "internal_notes",
    "resident_name",
    "resident_phone",
)


class TopicListView(FilteredListMixin, ListView):
    template_name = "topics/topic_list.html"
    context_object_name = "topics"
    filterset_class = TopicFilter
    export_spec = TOPIC_EXPORT
    # The selector orders by -raised_on, -pk (index topic_list_order_idx); that is "-raised_on".
    default_sort = "-raised_on"
    columns = [
        Column("title", "议题", ("title",)),
        Column("status", "状态", ("status",)),
        Column("category", "类别", ("category__sort_order", "category__name")),
        Column("area", "区划", ("area__path",)),
        Column("venue", "阵地", ("venue__name",), nullable=True),
        Column("raised_on", "提出日期", ("raised_on",), desc_first=True),
        # ``due`` (topics.rules.with_due): the date shown, so the order matches the column.
        Column("deadline", "办理期限", ("due",), nullable=True),
    ]

    def get_base_queryset(self):
        # ``due``: the effective 办理期限 (an unanswered referral's deadline counts), shown in
        # the column and exported, the same date as on the topic page.
        # The long texts are never shown in the table: not read (nor sorted with the rows).
        return rules.with_due(with_overdue_flag(topic_list(user=self.request.user))).defer(
            *LIST_DEFERRED
        )

    def get_empty_state(self):
        return EmptyState(
            noun="议题",
            hint="群众在阵地扫码反映的问题、委员提出的议题和协商活动中讨论的议题会出现在这里。",
            action_label="去登记协商活动",
            # Only those who may write get the button; leaders read.
            action_url=maybe_reverse("topics:consultation_create")
            if consultation_policy.user_can(self.request.user, "change")
            else None,
        )


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
        context.update(topic_similar_context(self.request, self.object))
        # Residents' photos (issue 16): one query; approving is for those who move the topic.
        context["topic_photos"] = list(self.object.photos.all())
        return context


class TopicTransitionView(RoleRequiredMixin, View):
    """POST: apply one lifecycle move through the service; a refused move says why."""

    allowed_roles = topic_policy.roles_for("change")
    http_method_names = ["post"]

    def post(self, request, pk):
        topic = get_object_or_404(
            Topic.objects.visible_to(request.user).select_related("area"), pk=pk
        )
        if not can_move_topic(request.user, topic):
            raise PermissionDenied("您没有权限办理该议题。")
        to = request.POST.get("to", "")
        name = request.POST.get("move") or None
        move = lifecycle.find_move(topic.status, to, name)
        if move is not None and move.form:
            # 交办, 办结, 答复 and 回访 need more than a note: their own forms call their services.
            messages.error(request, f"“{move.label}”需要填写表单,请在本页对应的表单中办理。")
            return redirect("topics:detail", pk=topic.pk)
        try:
            topic_transition(
                topic=topic,
                actor=request.user,
                to=to,
                note=request.POST.get("note", ""),
                expected_from=request.POST.get("from") or None,
                move=name,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        else:
            messages.success(request, f"议题已转为“{topic.get_status_display()}”。")
        return redirect("topics:detail", pk=topic.pk)
