"""Logging a session on one page (登记协商活动), editing it, its history and its attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView
from django.views.generic.base import TemplateResponseMixin

from consult_portal.views import RoleRequiredMixin
from platforms.models import Venue

from ..forms.consultation import FILES_AGAIN, SessionPage
from ..models import AttendanceStatus, Consultation
from ..permissions import consultation_policy
from ..services.sessions import consultation_log, consultation_update
from ..session_selectors import (
    attachment_queryset,
    consultation_edit_queryset,
    consultation_history,
)
from .topic import ALL_ROLES

RELOAD = "_reload"  # the "载入名单 / 添加委员" buttons: re-render with what was typed, no save


class _SessionFormView(RoleRequiredMixin, TemplateResponseMixin, View):
    """GET shows the page; POST validates the whole page and calls one service."""

    allowed_roles = consultation_policy.roles_for("change")
    template_name = "topics/consultation_form.html"
    instance: Consultation | None = None

    def get_instance(self) -> Consultation | None:
        return None

    def render_page(self, page: SessionPage, *, status: int = 200, reloaded: bool = False):
        page.order_hosts()
        context = {
            "page": page,
            "form": page.form,
            "instance": self.instance,
            "is_edit": self.instance is not None,
            "reloaded": reloaded,
            "files_again": FILES_AGAIN,
            "attendance_choices": AttendanceStatus.choices,
        }
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        self.instance = self.get_instance()
        venue = None
        raw = request.GET.get("venue", "")
        if raw and self.instance is None:
            venue = get_object_or_404(
                Venue.objects.visible_to(request.user).active().select_related("area"),
                pk=raw if raw.isdigit() else 0,
            )
        page = SessionPage(user=request.user, instance=self.instance, venue=venue)
        return self.render_page(page)

    def post(self, request, *args, **kwargs):
        self.instance = self.get_instance()
        page = SessionPage(
            user=request.user, data=request.POST, files=request.FILES, instance=self.instance
        )
        if RELOAD in request.POST:
            page.hide_errors()
            return self.render_page(page, reloaded=True)
        if page.venue_changed_unseen:
            # Saved straight after picking another venue (no JavaScript): show its members for
            # checking first, rather than recording them as present unseen.
            page.hide_errors()
            messages.warning(request, "阵地已更改,已载入新阵地的委员名单,请核对出席情况后再保存。")
            return self.render_page(page, reloaded=True)
        if not page.is_valid():
            return self.render_page(page, status=400)
        try:
            consultation = self.save(page)
        except ValidationError as error:
            page.form.add_error(None, error)
            return self.render_page(page, status=400)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        return redirect("topics:consultation_detail", pk=consultation.pk)


class ConsultationCreateView(_SessionFormView):
    def save(self, page: SessionPage) -> Consultation:
        consultation = consultation_log(actor=self.request.user, **page.service_kwargs())
        messages.success(self.request, f"已登记协商活动“{consultation.title}”。")
        return consultation


class ConsultationEditView(_SessionFormView):
    def get_instance(self) -> Consultation:
        return get_object_or_404(
            consultation_edit_queryset(user=self.request.user), pk=self.kwargs["pk"]
        )

    def save(self, page: SessionPage) -> Consultation:
        consultation = consultation_update(
            actor=self.request.user,
            consultation=self.instance,
            remove_attachment_ids=page.remove_attachment_ids,
            **page.service_kwargs(),
        )
        messages.success(self.request, "修改已保存。")
        return consultation


class ConsultationHistoryView(RoleRequiredMixin, DetailView):
    """Who changed what and when, read from the history tables. Staff roles only."""

    allowed_roles = consultation_policy.roles_for("history")
    template_name = "topics/consultation_history.html"
    context_object_name = "consultation"

    def get_queryset(self):
        return consultation_edit_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = consultation_history(consultation=self.object)
        return context


class ConsultationAttachmentView(RoleRequiredMixin, View):
    """Serve an attachment as a download, only to users who may see its session (else 404)."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        attachment = get_object_or_404(attachment_queryset(user=request.user), pk=pk)
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
