"""The units' pages (承办单位): their referrals, and one referral's page where the unit signs,
returns, asks for more time and replies with attachments. Office staff open the same page to
enter a step for a unit without a login. A referral the user may not see answers 404.

Each POST parses one form, calls one service (``services.referrals``) and redirects to the
page; bad input or a refused step re-renders the page (400) with the message next to the field
and what was typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from consult_portal.forms import attach_errors
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .. import rules
from ..forms.referral import ExtensionForm, ReturnForm, UnitReplyForm
from ..models import ReferralAttachment
from ..selectors import unit_referrals
from ..services.referrals import (
    referral_reply,
    referral_request_extension,
    referral_return,
    referral_sign,
)

UNIT_PAGE_ROLES = (Role.ADMIN, Role.OFFICE, Role.UNIT)


def _flag(referral, today) -> None:
    referral.is_overdue = rules.referral_is_overdue(referral, referral.topic.status, today)


class UnitHomeView(RoleRequiredMixin, ListView):
    """我的交办: a unit's referrals, the open ones first."""

    allowed_roles = (Role.UNIT,)
    template_name = "topics/unit_home.html"
    context_object_name = "referrals"
    paginate_by = 25

    def get_queryset(self):
        return unit_referrals(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for referral in context["referrals"]:
            _flag(referral, today)
        context["today"] = today
        return context


def referral_page_context(request, referral, bound: dict | None = None) -> dict:
    bound = bound or {}
    today = timezone.localdate()
    _flag(referral, today)
    is_open = referral.returned_on is None and referral.replied_on is None
    context = {
        "referral": referral,
        "topic": referral.topic,
        "today": today,
        "extensions": list(referral.extensions.all()),
        "attachments": list(referral.attachments.all()),
        "is_open": is_open,
        "can_sign": is_open and referral.signed_on is None,
    }
    if is_open:
        if referral.signed_on is None:
            context["return_form"] = bound.get("return") or ReturnForm()
        context["extension_form"] = bound.get("extension") or ExtensionForm()
        context["reply_form"] = bound.get("reply") or UnitReplyForm()
    context["failed"] = next(iter(bound), None)
    context["sign_error"] = bound.get("sign_error")
    return context


class _ReferralMixin(RoleRequiredMixin):
    allowed_roles = UNIT_PAGE_ROLES

    def get_referral(self, pk):
        return get_object_or_404(unit_referrals(user=self.request.user), pk=pk)


class UnitReferralView(_ReferralMixin, View):
    template_name = "topics/unit_referral.html"

    def get(self, request, pk):
        referral = self.get_referral(pk)
        return render(request, self.template_name, referral_page_context(request, referral))


class _ReferralActionView(_ReferralMixin, View):
    http_method_names = ["post"]
    key = ""
    form_class = None
    success_message = ""

    def perform(self, referral, form):
        raise NotImplementedError

    def post(self, request, pk):
        referral = self.get_referral(pk)
        form = self.form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.perform(referral, form)
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect("topics:unit_referral", pk=referral.pk)
        referral = self.get_referral(pk)  # the stored state, not what the refused step set
        context = referral_page_context(request, referral, bound={self.key: form})
        return render(request, UnitReferralView.template_name, context, status=400)


class UnitSignView(_ReferralMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        referral = self.get_referral(pk)
        try:
            referral_sign(actor=request.user, referral=referral)
        except ValidationError as error:
            referral = self.get_referral(pk)
            context = referral_page_context(request, referral)
            context["sign_error"] = " ".join(error.messages)
            return render(request, UnitReferralView.template_name, context, status=400)
        messages.success(request, "已签收,请按期办理并答复。")
        return redirect("topics:unit_referral", pk=referral.pk)


class UnitReturnView(_ReferralActionView):
    key = "return"
    form_class = ReturnForm
    success_message = "已退回交办,政协办公室将重新交办。"

    def perform(self, referral, form):
        referral_return(
            actor=self.request.user, referral=referral, reason=form.cleaned_data["reason"]
        )


class UnitExtensionView(_ReferralActionView):
    key = "extension"
    form_class = ExtensionForm
    success_message = "延期申请已提交,等待政协办公室审核。"

    def perform(self, referral, form):
        referral_request_extension(
            actor=self.request.user,
            referral=referral,
            reason=form.cleaned_data["reason"],
            new_deadline=form.cleaned_data["new_deadline"],
        )


class UnitReplyView(_ReferralActionView):
    key = "reply"
    form_class = UnitReplyForm
    success_message = "答复已提交,等待政协办公室审核。"

    def perform(self, referral, form):
        referral_reply(
            actor=self.request.user,
            referral=referral,
            reply_class=form.cleaned_data["reply_class"],
            reply=form.cleaned_data["reply"],
            attachments=form.cleaned_data["attachments"],
        )


class ReplyAttachmentView(_ReferralMixin, View):
    """Serve a reply's attachment to whoever may see its referral (else 404)."""

    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.UNIT)

    def get(self, request, pk):
        attachment = get_object_or_404(
            ReferralAttachment.objects.filter(referral__in=unit_referrals(user=request.user)),
            pk=pk,
        )
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError) as error:
            raise Http404("附件文件不存在。") from error
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
