"""The topic page's context and the actions posted from it: refer, reply, resolve, rate, merge,
comment; and the page where staff enter a new topic.

Each action view parses one form, calls one service and redirects to the topic page. Bad input or
a refused move re-renders the topic page (400) with the errors next to the fields and what was
typed kept. Only office staff and administrators post here (others get 403 before any lookup);
another area's topic answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from consult_portal.forms import attach_errors
from consult_portal.views import RoleRequiredMixin

from .. import lifecycle, rules
from ..forms.topic import (
    AddAssistingForm,
    CommentForm,
    MergeForm,
    RateForm,
    ReferForm,
    ReplyForm,
    ResolveForm,
    TopicCreateForm,
)
from ..lifecycle import OPEN_STATES, TopicStatus
from ..models import Referral
from ..permissions import can_move_topic, topic_policy
from ..selectors import topic_detail_queryset
from ..services.similar import topic_create_checked
from ..services.topic_actions import (
    referral_record_reply,
    topic_add_assisting,
    topic_comment,
    topic_merge,
    topic_rate,
    topic_refer,
    topic_resolve,
)
from .similar import similar_answers

# Moves that need more than a note: the page shows their own form instead of a plain button.
FORM_MOVES = frozenset({TopicStatus.REFERRED, TopicStatus.RESOLVED, TopicStatus.RATED})
REPLY_STATES = frozenset({TopicStatus.REFERRED, TopicStatus.IN_PROGRESS})


def topic_page_context(request, topic, *, scope, bound: dict | None = None) -> dict:
    """Everything the topic page shows. ``bound`` replaces the blank form of one action with the
    submitted one (keys: refer, resolve, rate, merge, comment, ``reply-<referral pk>``)."""
    bound = bound or {}
    user = request.user
    today = timezone.localdate()
    referrals = list(topic.referrals.all())
    for referral in referrals:
        referral.is_overdue = rules.referral_is_overdue(referral, topic.status, today)
    due = rules.topic_due(topic.deadline, [r.deadline for r in referrals if r.replied_on is None])
    can_act = can_move_topic(user, topic)
    status = topic.status
    context = {
        "topic": topic,
        "today": today,
        "referrals": referrals,
        "events": list(topic.events.all()),
        "duplicates": list(topic.duplicates.all()),
        "due": due,
        "topic_overdue": rules.topic_is_overdue(topic.status, due, today),
        "can_move": can_act,
        "show_private": topic_policy.user_can(user, "view_private"),
        "actions": [],
    }
    if not can_act:
        context["hidden_errors"] = []
        return context
    context["actions"] = [
        {
            "to": to,
            "label": lifecycle.ACTION_LABELS[to],
            "needs_note": to in lifecycle.NOTE_REQUIRED,
        }
        for to in TopicStatus.values
        if lifecycle.is_allowed(status, to) and to not in FORM_MOVES
    ]
    if lifecycle.is_allowed(status, TopicStatus.REFERRED):
        context["refer_form"] = bound.get("refer") or ReferForm(user=user)
    if status in REPLY_STATES:
        context["assist_form"] = bound.get("assist") or AddAssistingForm(user=user, topic=topic)
        context["reply_forms"] = [
            (r, bound.get(f"reply-{r.pk}") or ReplyForm(referral=r))
            for r in referrals
            if r.replied_on is None
        ]
    if lifecycle.is_allowed(status, TopicStatus.RESOLVED):
        context["resolve_form"] = bound.get("resolve") or ResolveForm()
    if lifecycle.is_allowed(status, TopicStatus.RATED):
        context["rate_form"] = bound.get("rate") or RateForm()
    if status in OPEN_STATES:
        context["merge_form"] = bound.get("merge") or MergeForm(user=user, topic=topic)
    context["comment_form"] = bound.get("comment") or CommentForm()
    context["hidden_errors"] = _errors_of_hidden_forms(context, bound)
    return context


def _errors_of_hidden_forms(context: dict, bound: dict) -> list[str]:
    """Errors of a submitted form the page no longer shows (the topic moved on meanwhile), so
    the refusal is still said at the top of the page."""
    shown = {id(f) for _, f in context.get("reply_forms", [])}
    shown |= {id(v) for k, v in context.items() if k.endswith("_form")}
    errors = []
    for form in bound.values():
        if id(form) not in shown:
            errors += [str(e) for field_errors in form.errors.values() for e in field_errors]
    return errors


class _TopicActionView(RoleRequiredMixin, View):
    allowed_roles = topic_policy.roles_for("change")
    http_method_names = ["post"]
    key = ""
    success_message = ""

    def make_form(self, topic, data):
        raise NotImplementedError

    def perform(self, topic, form):
        raise NotImplementedError

    def post(self, request, pk, **kwargs):
        topic = get_object_or_404(topic_detail_queryset(user=request.user), pk=pk)
        form = self.make_form(topic, request.POST)
        if form.is_valid():
            try:
                target = self.perform(topic, form)
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect("topics:detail", pk=(target or topic).pk)
        context = topic_page_context(request, topic, scope=self.scope, bound={self.key: form})
        context["failed_action"] = self.key
        return render(request, "topics/topic_detail.html", context, status=400)

    def expected(self):
        return self.request.POST.get("from") or None


class TopicReferView(_TopicActionView):
    key = "refer"
    success_message = "已交办职能部门。"

    def make_form(self, topic, data):
        return ReferForm(data, user=self.request.user)

    def perform(self, topic, form):
        topic_refer(
            actor=self.request.user,
            topic=topic,
            lead=form.cleaned_data["lead"],
            assisting=list(form.cleaned_data["assisting"]),
            deadline=form.cleaned_data["deadline"],
            note=form.cleaned_data["note"],
            expected_from=self.expected(),
        )


class TopicAddAssistingView(_TopicActionView):
    key = "assist"
    success_message = "已追加协办部门。"

    def make_form(self, topic, data):
        return AddAssistingForm(data, user=self.request.user, topic=topic)

    def perform(self, topic, form):
        topic_add_assisting(
            actor=self.request.user,
            topic=topic,
            departments=list(form.cleaned_data["departments"]),
            deadline=form.cleaned_data["deadline"],
            note=form.cleaned_data["note"],
            expected_from=self.expected(),
        )


class TopicReplyView(_TopicActionView):
    success_message = "已记录部门答复。"

    def make_form(self, topic, data):
        referral = get_object_or_404(
            Referral.objects.filter(topic=topic).select_related("department"),
            pk=self.kwargs["referral_pk"],
        )
        referral.topic = topic
        self.key = f"reply-{referral.pk}"
        return ReplyForm(data, referral=referral)

    def perform(self, topic, form):
        referral_record_reply(
            actor=self.request.user,
            referral=form.referral,
            reply=form.cleaned_data["reply"],
            replied_on=form.cleaned_data["replied_on"],
        )


class TopicResolveView(_TopicActionView):
    key = "resolve"
    success_message = "议题已办结。"

    def make_form(self, topic, data):
        return ResolveForm(data)

    def perform(self, topic, form):
        topic_resolve(
            actor=self.request.user,
            topic=topic,
            summary=form.cleaned_data["summary"],
            internal_note=form.cleaned_data["internal_note"],
            resolved_on=form.cleaned_data["resolved_on"],
            expected_from=self.expected(),
        )


class TopicRateView(_TopicActionView):
    key = "rate"
    success_message = "已记录群众评价。"

    def make_form(self, topic, data):
        return RateForm(data)

    def perform(self, topic, form):
        topic_rate(
            actor=self.request.user,
            topic=topic,
            rating=form.cleaned_data["rating"],
            rated_on=form.cleaned_data["rated_on"],
            note=form.cleaned_data["note"],
            expected_from=self.expected(),
        )


class TopicMergeView(_TopicActionView):
    key = "merge"
    success_message = "重复议题已合并至本议题。"

    def make_form(self, topic, data):
        return MergeForm(data, user=self.request.user, topic=topic)

    def perform(self, topic, form):
        survivor = form.cleaned_data["survivor"]
        topic_merge(
            actor=self.request.user,
            duplicate=topic,
            survivor=survivor,
            note=form.cleaned_data["note"],
            expected_from=self.expected(),
        )
        return survivor


class TopicCommentView(_TopicActionView):
    key = "comment"
    success_message = "备注已记入办理进程。"

    def make_form(self, topic, data):
        return CommentForm(data)

    def perform(self, topic, form):
        topic_comment(actor=self.request.user, topic=topic, note=form.cleaned_data["note"])


class TopicCreateView(RoleRequiredMixin, View):
    """登记议题: staff enter a topic; it starts as 征集 with its "raised" event."""

    allowed_roles = topic_policy.roles_for("change")
    template_name = "topics/topic_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": TopicCreateForm(user=request.user)})

    def post(self, request):
        form = TopicCreateForm(request.POST, user=request.user)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "note"}
            # The similar-topic panel's answers (issue 16): 合并 into one of them, and the
            # ones staff called "不是同一问题". Ids outside the user's scope find nothing.
            answers = similar_answers(request)
            try:
                topic = topic_create_checked(
                    actor=request.user, note=form.cleaned_data["note"], **answers, **fields
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                if answers["merge_into"] is not None:
                    messages.success(request, "议题已登记并合并至相同的议题。")
                    return redirect("topics:detail", pk=answers["merge_into"].pk)
                messages.success(request, "议题已登记,等待立项。")
                return redirect("topics:detail", pk=topic.pk)
        return render(request, self.template_name, {"form": form}, status=400)
