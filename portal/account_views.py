"""我的登录设备: where the user is signed in, and signing out of a device they no longer hold."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from consult_portal import sessions


class SessionListView(LoginRequiredMixin, View):
    template_name = "registration/sessions.html"

    def get(self, request):
        rows = sessions.sessions_of(request.user)
        current = request.session.session_key
        context = {
            "rows": rows,
            "current": current,
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        }
        return render(request, self.template_name, context)

    def post(self, request):
        current = request.session.session_key
        if "all_others" in request.POST:
            count = sessions.sign_out(user=request.user, keep=current)
            messages.success(request, f"已退出其他 {count} 个设备上的登录。")
            return redirect("sessions")
        try:
            pk = int(request.POST.get("session", ""))
        except ValueError as error:
            raise Http404 from error
        own = {row.pk: row for row in sessions.sessions_of(request.user)}
        if pk not in own or own[pk].session_key == current:
            raise Http404  # another user's session, or this one (use 退出登录 for that)
        sessions.sign_out(user=request.user, pk=pk)
        messages.success(request, "已退出该设备上的登录。")
        return redirect("sessions")
