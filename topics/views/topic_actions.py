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
from ..forms.referral import ExtensionDecisionForm, ReviewContinueForm, ReviewReturnForm
from ..forms.topic import (
    AcceptForm,
    AddAssistingForm,
    CommentForm,
    ConsultForm,
    DeclineForm,
    FollowUpForm,
    MergeForm,
    RateForm,
    ReasonForm,
    ReferForm,
    ReplyForm,
    ResolveForm,
    TopicCreateForm,
    TopicEditForm,
)
from ..lifecycle import OPEN_STATES, TopicStatus
from ..models import ExtensionDecision, Referral, ReferralExtension, ReferralRole, Topic
from ..permissions import can_move_topic, topic_policy
from ..selectors import topic_detail_queryset
from ..services.practice import (
    topic_accept,
    topic_consult,
    topic_decline,
    topic_edit,
    topic_elevate,
    topic_follow_up,
    topic_reopen,
)
from ..services.referrals import (
    extension_decide,
    referral_reply,
    topic_review_continue,
    topic_review_return,
)
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

# States in which departments' replies are recorded and assisting departments added.
REPLY_STATES = frozenset({TopicStatus.REFERRED, TopicStatus.IN_PROGRESS, TopicStatus.REPLIED})


def topic_page_context(request, topic, *, scope, bound: dict | None = None) -> dict:
    """Everything the topic page shows. ``bound`` replaces the blank form of one action with the
    submitted one (keys: refer, resolve, rate, merge, comment, ``reply-<referral pk>``)."""
    bound = bound or {}
    user = request.user
    today = timezone.localdate()
    referrals = list(topic.referrals.all())
    for referral in referrals:
        referral.is_overdue = rules.referral_is_overdue(referral, topic.status, today)
    due = rules.topic_due(
        topic.deadline, [r.deadline for r in referrals if rules.referral_is_unanswered(r)]
    )
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
    # The plain moves of the state (a button and a note); the moves with a form show that form.
    moves = lifecycle.available_moves(status, rating=topic.rating)
    context["actions"] = [m for m in moves if not m.form]
    form_moves = {m.form: m for m in moves if m.form}
    context["form_moves"] = form_moves
    if "refer" in form_moves:
        context["refer_form"] = bound.get("refer") or ReferForm(user=user)
    if status in REPLY_STATES:
        context["assist_form"] = bound.get("assist") or AddAssistingForm(user=user, topic=topic)
        context["reply_forms"] = [
            (r, bound.get(f"reply-{r.pk}") or ReplyForm(referral=r))
            for r in referrals
            if rules.referral_is_unanswered(r)
            # After 继续办理 / 退回重办 the lead unit replies again.
            or (
                r.role == ReferralRole.LEAD
                and r.returned_on is None
                and status == TopicStatus.IN_PROGRESS
            )
        ]
    if "continue" in form_moves:
        context["continue_form"] = bound.get("continue") or ReviewContinueForm()
    if "redo" in form_moves:
        context["redo_form"] = bound.get("redo") or ReviewReturnForm()
    context["extension_forms"] = [
        (ext, bound.get(f"ext-{ext.pk}") or ExtensionDecisionForm(prefix=f"ext-{ext.pk}"))
        for r in referrals
        for ext in r.extensions.all()
        if ext.decision == ExtensionDecision.PENDING
    ]
    if "resolve" in form_moves:
        context["resolve_form"] = bound.get("resolve") or ResolveForm()
    # 回访 and 跟踪问效 records go on after their first move (no move then).
    if "rate" in form_moves or status in (TopicStatus.RATED, TopicStatus.FOLLOW_UP):
        context["rate_form"] = bound.get("rate") or RateForm()
    if "follow" in form_moves or status == TopicStatus.FOLLOW_UP:
        context["follow_form"] = bound.get("follow") or FollowUpForm()
    if "accept" in form_moves:
        context["accept_form"] = bound.get("accept") or AcceptForm()
    if "decline" in form_moves:
        context["decline_form"] = bound.get("decline") or DeclineForm()
    if "consult" in form_moves or status == TopicStatus.CONSULTING:
        context["consult_form"] = bound.get("consult") or ConsultForm(user=user)
    if "elevate" in form_moves:
        context["elevate_form"] = bound.get("elevate") or ReasonForm(prefix="elevate")
    if "reopen" in form_moves:
        context["reopen_form"] = bound.get("reopen") or ReasonForm(prefix="reopen")
    context["edit_form"] = bound.get("edit") or TopicEditForm(instance=topic, user=user)
    if status in OPEN_STATES:
        context["merge_form"] = bound.get("merge") or MergeForm(user=user, topic=topic)
    context["comment_form"] = bound.get("comment") or CommentForm()
    context["hidden_errors"] = _errors_of_hidden_forms(context, bound)
    return context


def _errors_of_hidden_forms(context: dict, bound: dict) -> list[str]:
    """Errors of a submitted form the page no longer shows (the topic moved on meanwhile), so
    the refusal is still said at the top of the page."""
    shown = {id(f) for _, f in context.get("reply_forms", [])}
    shown |= {id(f) for _, f in context.get("extension_forms", [])}
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
    success_message = "已交办承办单位。"

    def make_form(self, topic, data):
        return ReferForm(data, user=self.request.user)

    def perform(self, topic, form):
        topic_refer(
            actor=self.request.user,
            topic=topic,
            lead=form.cleaned_data["lead"],
            assisting=list(form.cleaned_data["assisting"]),
            deadline=form.cleaned_data["deadline"],
            workdays_count=form.cleaned_data["workdays"],
            note=form.cleaned_data["note"],
            expected_from=self.expected(),
        )


class TopicAddAssistingView(_TopicActionView):
    key = "assist"
    success_message = "已追加协办单位。"

    def make_form(self, topic, data):
        return AddAssistingForm(data, user=self.request.user, topic=topic)

    def perform(self, topic, form):
        topic_add_assisting(
            actor=self.request.user,
            topic=topic,
            departments=list(form.cleaned_data["departments"]),
            deadline=form.cleaned_data["deadline"],
            workdays_count=form.cleaned_data["workdays"],
            note=form.cleaned_data["note"],
            expected_from=self.expected(),
        )


class TopicReplyView(_TopicActionView):
    success_message = "已记录单位答复。"

    def make_form(self, topic, data):
        referral = get_object_or_404(
            Referral.objects.filter(topic=topic).select_related("department"),
            pk=self.kwargs["referral_pk"],
        )
        referral.topic = topic
        self.key = f"reply-{referral.pk}"
        return ReplyForm(data, referral=referral)

    def perform(self, topic, form):
        if rules.referral_is_unanswered(form.referral):
            referral_reply(
                actor=self.request.user,
                referral=form.referral,
                reply_class=form.cleaned_data["reply_class"],
                reply=form.cleaned_data["reply"],
                replied_on=form.cleaned_data["replied_on"],
            )
            return
        # The lead's new reply after a plain move back to 办理中 (重新办理, then 登记签收).
        referral_record_reply(
            actor=self.request.user,
            referral=form.referral,
            reply=form.cleaned_data["reply"],
            replied_on=form.cleaned_data["replied_on"],
        )


class TopicReviewContinueView(_TopicActionView):
    key = "continue"
    success_message = "已同意继续办理,计划完成日期已记入交办。"

    def make_form(self, topic, data):
        return ReviewContinueForm(data)

    def perform(self, topic, form):
        topic_review_continue(
            actor=self.request.user,
            topic=topic,
            planned_on=form.cleaned_data["planned_on"],
            note=form.cleaned_data["note"],
            expected_from=self.expected(),
        )


class TopicReviewRedoView(_TopicActionView):
    key = "redo"
    success_message = "已退回主办单位重办。"

    def make_form(self, topic, data):
        return ReviewReturnForm(data)

    def perform(self, topic, form):
        topic_review_return(
            actor=self.request.user,
            topic=topic,
            reason=form.cleaned_data["reason"],
            expected_from=self.expected(),
        )


class ExtensionDecideView(_TopicActionView):
    """同意 / 不同意 a unit's request for more time (the button pressed says which)."""

    def make_form(self, topic, data):
        self.extension = get_object_or_404(
            ReferralExtension.objects.filter(referral__topic=topic).select_related("referral"),
            pk=self.kwargs["extension_pk"],
        )
        self.extension.referral.topic = topic
        self.key = f"ext-{self.extension.pk}"
        return ExtensionDecisionForm(data, prefix=self.key)

    def perform(self, topic, form):
        grant = self.request.POST.get("decision") == "grant"
        self.success_message = "已同意延期。" if grant else "已不同意延期。"
        extension_decide(
            actor=self.request.user,
            extension=self.extension,
            grant=grant,
            note=form.cleaned_data["note"],
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


class TopicAcceptView(_TopicActionView):
    key = "accept"
    success_message = "已受理。"

    def make_form(self, topic, data):
        return AcceptForm(data)

    def perform(self, topic, form):
        topic_accept(
            actor=self.request.user,
            topic=topic,
            reason=form.cleaned_data["reason"],
            expected_from=self.expected(),
        )


class TopicDeclineView(_TopicActionView):
    key = "decline"
    success_message = "已不予受理。"

    def make_form(self, topic, data):
        return DeclineForm(data)

    def perform(self, topic, form):
        topic_decline(
            actor=self.request.user,
            topic=topic,
            reason=form.cleaned_data["reason"],
            channel=form.cleaned_data["channel"],
            channel_note=form.cleaned_data["channel_note"],
            expected_from=self.expected(),
        )


class TopicConsultView(_TopicActionView):
    key = "consult"
    success_message = "已列入协商。"

    def make_form(self, topic, data):
        return ConsultForm(data, user=self.request.user)

    def perform(self, topic, form):
        topic_consult(
            actor=self.request.user,
            topic=topic,
            session=form.cleaned_data["session"],
            note=form.cleaned_data["note"],
            expected_from=self.expected(),
        )


class TopicElevateView(_TopicActionView):
    key = "elevate"
    success_message = "已提级至上一级政协办公室。"

    def make_form(self, topic, data):
        return ReasonForm(data, prefix="elevate")

    def perform(self, topic, form):
        topic_elevate(
            actor=self.request.user,
            topic=topic,
            reason=form.cleaned_data["reason"],
            expected_from=self.expected(),
        )


class TopicReopenView(_TopicActionView):
    key = "reopen"
    success_message = "已重新交办办理。"

    def make_form(self, topic, data):
        return ReasonForm(data, prefix="reopen")

    def perform(self, topic, form):
        topic_reopen(
            actor=self.request.user,
            topic=topic,
            reason=form.cleaned_data["reason"],
            expected_from=self.expected(),
        )


class TopicFollowUpView(_TopicActionView):
    key = "follow"
    success_message = "已记录跟踪问效。"

    def make_form(self, topic, data):
        return FollowUpForm(data)

    def perform(self, topic, form):
        topic_follow_up(
            actor=self.request.user,
            topic=topic,
            text=form.cleaned_data["text"],
            progress=form.cleaned_data["progress"],
            checked_on=form.cleaned_data["checked_on"],
            expected_from=self.expected(),
        )


class TopicEditView(_TopicActionView):
    key = "edit"
    success_message = "议题信息已修改,原内容已记入办理进程。"

    def make_form(self, topic, data):
        # A copy: the form writes its values onto its instance while validating.
        return TopicEditForm(data, instance=Topic.objects.get(pk=topic.pk), user=self.request.user)

    def perform(self, topic, form):
        topic_edit(
            actor=self.request.user,
            topic=topic,
            **{f: form.cleaned_data[f] for f in ("title", "category", "description", "area")},
        )
