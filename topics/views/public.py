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
    public_reply_class,
    public_step_dates,
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
# States shown as a plain sentence instead of the stepper.
PLAIN = {
    S.DECLINED: "经研究,该问题不予受理。如有疑问,请到阵地咨询。",
    S.MERGED: "该问题已与其他群众反映的同类问题合并办理。",
    S.ELEVATED: "该问题已提交上一级政协办公室办理。",
}
NOTES = {
    S.RAISED: "已收到,等待工作人员受理。",
    S.ACCEPTED: "已受理,正在研究办理方式。",
    S.CONSULTING: "正在组织协商。",
    S.AGREED: "协商已达成共识。",
    S.REFERRED: "已交承办单位办理。",
    S.IN_PROGRESS: "承办单位正在办理。",
    S.REPLIED: "承办单位已答复,正在审核办理结果。",
    S.UNRESOLVED: "暂未解决,我们会继续跟进。",
    S.ESCALATED: "已转为政协提案继续推动。",
    S.REPORTED: "已作为社情民意信息报送。",
    S.RESOLVED: "已办结,我们会电话回访,您也可以在本页直接评价。",
    S.FOLLOW_UP: "已办结,正在跟踪落实情况。",
    S.IMPLEMENTED: "办理事项已落实。",
}
CONSULT_STATES = {S.CONSULTING, S.AGREED}
REFERRAL_STATES = {S.REFERRED, S.IN_PROGRESS, S.REPLIED, S.UNRESOLVED}
# How far along each state is; a step is passed once the topic's state is further along.
RANK = {
    S.RAISED: 0,
    S.ACCEPTED: 1,
    S.CONSULTING: 2,
    S.AGREED: 3,
    S.REFERRED: 4,
    S.IN_PROGRESS: 5,
    S.REPLIED: 6,
    S.UNRESOLVED: 6,
    S.ESCALATED: 6,
    S.REPORTED: 6,
    S.RESOLVED: 7,
    S.RATED: 8,
    S.FOLLOW_UP: 9,
    S.IMPLEMENTED: 10,
}
# States that last (the step is under way, not done, while the topic is in them).
ONGOING = {S.CONSULTING, S.IN_PROGRESS, S.FOLLOW_UP}


def tracker_steps(topic, days: dict, *, reply_words: str = "") -> list[dict]:
    """The steps a resident sees, each with its date once reached: 提交, 受理, then 协商 when
    the topic went to a session, 交办 / 办理 / 答复 when it was referred, 办结 and 回访 (跟踪问效
    and 落实 when they happened). A step is done once the topic is past it; the first step not
    done is the current one (none once everything is done)."""
    status = topic.status
    seen = set(days) | {status}
    steps = [
        (S.RAISED, "提交", topic.raised_on, ""),
        (S.ACCEPTED, "受理", days.get(S.ACCEPTED), ""),
    ]
    if seen & CONSULT_STATES:
        steps.append((S.CONSULTING, "协商", days.get(S.CONSULTING), ""))
    if seen & REFERRAL_STATES:
        steps += [
            (S.REFERRED, "交办", days.get(S.REFERRED), ""),
            (S.IN_PROGRESS, "办理", days.get(S.IN_PROGRESS), ""),
            (S.REPLIED, "答复", days.get(S.REPLIED), reply_words),
        ]
    elif status == S.ACCEPTED:
        steps.append((S.IN_PROGRESS, "办理", None, ""))  # how is not decided yet
    label = topic.get_resolution_kind_display() if topic.resolution_kind else "办结"
    steps.append((S.RESOLVED, label, topic.resolved_on or days.get(S.RESOLVED), ""))
    rating = topic.get_rating_display() if topic.rating else ""
    steps.append((S.RATED, "回访", topic.rated_on or days.get(S.RATED), rating))
    if seen & {S.FOLLOW_UP, S.IMPLEMENTED}:
        steps += [
            (S.FOLLOW_UP, "跟踪问效", days.get(S.FOLLOW_UP), ""),
            (S.IMPLEMENTED, "落实", days.get(S.IMPLEMENTED), ""),
        ]
    here = RANK.get(status, 0)
    out, current_set = [], False
    for state, label, day, detail in steps:
        done = here > RANK[state] or (here == RANK[state] and state not in ONGOING)
        current = not done and not current_set and status not in (S.UNRESOLVED,)
        current_set = current_set or current
        out.append({"label": label, "done": done, "current": current, "day": day, "detail": detail})
    return out


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
        rating_label = topic.get_rating_display() if topic.rating else ""
        steps = (
            []
            if plain
            else tracker_steps(
                topic, public_step_dates(topic), reply_words=public_reply_class(topic)
            )
        )
        redirect = ""
        if topic.status == S.DECLINED and topic.redirect_channel:
            redirect = topic.get_redirect_channel_display()
            if topic.redirect_note:
                redirect += f"({topic.redirect_note})"
        return {
            "topic": topic,
            "plain": plain,
            "steps": steps,
            "status_label": lifecycle.label(topic.status),
            "note": NOTES.get(topic.status, ""),
            "decline_reason": topic.decision_reason if topic.status == S.DECLINED else "",
            "redirect": redirect,
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
