"""Public pages, no login: a venue's page (the QR code on its door) where residents raise an
issue, and the tracking page where they follow it by its code and rate the outcome.

Nothing private leaves these views: the selectors load names of members (no phones), public
resolution summaries and statuses only; the resident's own name and phone are never echoed back
after a successful submission.
"""

from __future__ import annotations

import re

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from consult_portal.http import client_ip, rate_limit_key

from .. import lifecycle
from ..forms.public import HONEYPOT_FIELD, PublicRaiseForm, PublicRateForm
from ..lifecycle import TopicStatus
from ..models import new_tracking_code
from ..public_selectors import (
    public_topic_or_404,
    public_venue_or_404,
    venue_assigned_members,
    venue_on_duty,
    venue_public_outcomes,
)
from ..services.public import (
    limit_message,
    raise_limit_take,
    rate_limit_take,
    topic_raise_by_resident,
    topic_rate_by_resident,
    track_miss_count,
    track_misses_used_up,
)

S = TopicStatus
# The stepper a resident sees, and which step each state reaches.
STEPS = ["已受理", "立项", "交办", "办理", "办结", "评价"]
STEP_OF = {
    S.RAISED: 0,
    S.ACCEPTED: 1,
    S.RESEARCHING: 1,
    S.CONSULTING: 1,
    S.AGREED: 1,
    S.REFERRED: 2,
    S.IN_PROGRESS: 3,
    S.UNRESOLVED: 3,
    S.ESCALATED: 3,
    S.RESOLVED: 4,
    # Rated: the last step is done too, and no step is current.
    S.RATED: len(STEPS),
    S.FOLLOW_UP: len(STEPS),
}
# States shown as a plain sentence instead of the stepper.
PLAIN = {
    S.DECLINED: "经研究,该问题不予立项。如有疑问,请到阵地咨询。",
    S.MERGED: "该问题已与其他群众反映的同类问题合并办理。",
}
NOTES = {
    S.RAISED: "已受理,等待工作人员审核立项。",
    S.RESEARCHING: "正在调研。",
    S.CONSULTING: "正在组织协商。",
    S.AGREED: "协商已达成共识,即将交办。",
    S.UNRESOLVED: "暂未解决,我们会继续跟进。",
    S.ESCALATED: "已转为政协提案继续推动。",
    S.FOLLOW_UP: "已评价,正在跟踪回访。",
}


class PublicVenueView(View):
    template_name = "public/venue.html"

    def _context(self, venue, form, limit_reached=False):
        return {
            "venue": venue,
            "form": form,
            # Shown once, above the form; not a form error (those are shown inside the form).
            "limit_message": limit_message(venue_phone=venue.contact_phone)
            if limit_reached
            else "",
            "honeypot_name": HONEYPOT_FIELD,
            "on_duty": venue_on_duty(venue),
            "assigned": venue_assigned_members(venue),
            "outcomes": venue_public_outcomes(venue),
        }

    def get(self, request, code):
        venue = public_venue_or_404(code)
        return render(request, self.template_name, self._context(venue, PublicRaiseForm()))

    def post(self, request, code):
        venue = public_venue_or_404(code)
        form = PublicRaiseForm(request.POST, request.FILES)
        ip = rate_limit_key(client_ip(request))
        if form.is_bot:
            # Pretend it worked, down to the redirect and the page it leads to; store nothing.
            # The address still counts against its limit.
            raise_limit_take(ip=ip)
            return _redirect_to_done(venue, new_tracking_code())
        if not form.is_valid():
            return render(request, self.template_name, self._context(venue, form), status=400)
        # Counted before saving, in one atomic step per address and phone: concurrent
        # submissions cannot all pass a check made before any of them was counted.
        if not raise_limit_take(ip=ip, phone=form.cleaned_data["phone"]):
            context = self._context(venue, form, limit_reached=True)
            return render(request, self.template_name, context, status=429)
        try:
            topic = topic_raise_by_resident(venue=venue, **form.topic_fields())
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, self.template_name, self._context(venue, form), status=400)
        return _redirect_to_done(venue, topic.tracking_code)


# Post/Redirect/Get: the success page is a GET of its own, so reloading it (or going back to it)
# shows the code again instead of raising the issue a second time. The code travels signed in
# the URL (no session for people without an account), so nobody can make the portal show
# "提交成功" for a code it did not hand out.
_DONE_SALT = "public.raise-done"


def _redirect_to_done(venue, tracking_code: str):
    # Signed together with the venue, so a code raised at one venue never shows as raised at
    # another.
    token = signing.Signer(salt=_DONE_SALT).sign(f"{venue.code}:{tracking_code}")
    return redirect(f"{reverse('public:raise_done', args=[venue.code])}?c={token}")


class PublicRaiseDoneView(View):
    """The "提交成功" page with the tracking code, reached by the redirect after a submission."""

    def get(self, request, code):
        venue = public_venue_or_404(code)
        try:
            signed = signing.Signer(salt=_DONE_SALT).unsign(request.GET.get("c", ""))
        except signing.BadSignature as error:
            raise Http404 from error
        venue_code, _, tracking_code = signed.rpartition(":")
        if venue_code != venue.code:
            raise Http404
        link = request.build_absolute_uri(reverse("public:track", args=[tracking_code]))
        return render(
            request,
            "public/raise_done.html",
            {"venue": venue, "tracking_code": tracking_code, "tracking_link": link},
        )


TRACK_NOT_FOUND = (
    "没有找到查询码为 {code} 的问题,请核对查询码(提交成功页面或短信中的 8 位字母和数字)后重新输入。"
)
TRACK_THROTTLED = "查询次数过多,请稍后再试;如需帮助,请到阵地或联系政协办公室。"
RATE_THROTTLED = "评价提交过于频繁,请稍后再试。"


def _lookup_page(request, message: str, *, status: int, code: str = ""):
    error = message.format(code=code[:20])
    return render(request, "public/lookup.html", {"error": error, "code": code[:20]}, status=status)


class PublicTrackingLookupView(View):
    """The "查询办理进度" form (GET): go to the code's page, or ask for a code."""

    def get(self, request):
        code = re.sub(r"[^0-9A-Za-z]", "", request.GET.get("code", ""))[:12]
        if code:
            return redirect("public:track", code=code.upper())
        return render(request, "public/lookup.html", {"error": "请输入查询码。"}, status=400)


class PublicTrackingView(View):
    template_name = "public/track.html"

    def _context(self, topic, form):
        plain = PLAIN.get(topic.status)
        step = STEP_OF.get(topic.status, 0)
        rating_label = topic.get_rating_display() if topic.rating else ""
        steps = [
            {"label": label, "done": i < step, "current": i == step, "detail": ""}
            for i, label in enumerate(STEPS)
        ]
        if step == len(STEPS):
            steps[-1]["detail"] = rating_label
        return {
            "topic": topic,
            "plain": plain,
            "steps": [] if plain else steps,
            "status_label": lifecycle.label(topic.status),
            "note": NOTES.get(topic.status, ""),
            "can_rate": topic.status == S.RESOLVED,
            # Residents' photos show only once staff approved them (issue 16).
            "photos": list(topic.photos.filter(approved=True).only("pk")),
            "rating_label": rating_label,
            "form": form,
        }

    def _topic(self, request, code):
        """The topic of ``code``, or the response to give instead: a public page saying the code
        was not found (never the staff 404), or 429 once an address has missed too often."""
        ip = rate_limit_key(client_ip(request))
        if track_misses_used_up(ip=ip):
            return None, _lookup_page(request, TRACK_THROTTLED, status=429)
        try:
            return public_topic_or_404(code), None
        except Http404:
            track_miss_count(ip=ip)
            return None, _lookup_page(request, TRACK_NOT_FOUND, status=404, code=code)

    def get(self, request, code):
        topic, refusal = self._topic(request, code)
        if refusal:
            return refusal
        form = PublicRateForm() if topic.status == S.RESOLVED else None
        return render(request, self.template_name, self._context(topic, form))

    def post(self, request, code):
        topic, refusal = self._topic(request, code)
        if refusal:
            return refusal
        if not rate_limit_take(ip=rate_limit_key(client_ip(request))):
            return _lookup_page(request, RATE_THROTTLED, status=429)
        form = PublicRateForm(request.POST)
        if form.is_valid():
            try:
                topic_rate_by_resident(topic=topic, rating=form.cleaned_data["rating"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(f"{reverse('public:track', args=[topic.tracking_code])}?rated=1")
        topic = public_topic_or_404(code)
        return render(request, self.template_name, self._context(topic, form), status=400)
