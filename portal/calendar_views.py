"""Calendar subscriptions (issue 5, item 4): the feed itself (no login, the token is the key)
and the signed-in user's page to create, regenerate or revoke their feed URL."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from members.calendar import (
    calendar_feed_regenerate,
    calendar_feed_revoke,
    feed_by_token,
    live_feed,
)

from .calendar import build_ics

FEED_ROLES = (Role.ADMIN, Role.OFFICE, Role.MEMBER)


class CalendarFeedView(View):
    """GET /cal/<token>.ics: unknown or revoked token → 404, never a login page."""

    http_method_names = ["get", "head"]

    def get(self, request, token):
        feed = feed_by_token(token)
        if feed is None:
            raise Http404("日历订阅不存在或已撤销。")
        response = HttpResponse(build_ics(feed=feed), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
        response["Cache-Control"] = "private, max-age=300"
        response["X-Robots-Tag"] = "noindex"
        return response


class CalendarFeedsView(RoleRequiredMixin, TemplateView):
    allowed_roles = FEED_ROLES
    template_name = "calendar/feeds.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feed = live_feed(user=self.request.user)
        context["feed"] = feed
        if feed is not None:
            path = reverse("calendar:ics", args=[feed.token])
            context["feed_url"] = self.request.build_absolute_uri(path)
            context["webcal_url"] = "webcal://" + context["feed_url"].split("://", 1)[1]
        context["is_member_feed"] = self.scope.role == Role.MEMBER
        return context


class CalendarFeedRegenerateView(RoleRequiredMixin, View):
    allowed_roles = FEED_ROLES
    http_method_names = ["post"]

    def post(self, request):
        had_one = live_feed(user=request.user) is not None
        calendar_feed_regenerate(actor=request.user)
        messages.success(
            request, "已生成新的订阅地址,旧地址已失效。" if had_one else "已生成日历订阅地址。"
        )
        return redirect("calendar:feeds")


class CalendarFeedRevokeView(RoleRequiredMixin, View):
    allowed_roles = FEED_ROLES
    http_method_names = ["post"]

    def post(self, request):
        if calendar_feed_revoke(actor=request.user):
            messages.success(request, "订阅地址已撤销,日历应用将无法再获取。")
        else:
            messages.info(request, "当前没有有效的订阅地址。")
        return redirect("calendar:feeds")
