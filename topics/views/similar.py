"""Similar topics (issue 16): the panel shown while staff type a topic, "不是同一问题", and the
page of problems raised at several venues of an area.

The panel is a fragment fetched as the title is typed (``static/js/similar_topics.js``); the
登记 page and the session form's new-topic rows use it. Without JavaScript the 登记 page shows
it after a failed save, and the topic's own page shows it for an open topic.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from platforms.models import Area, Venue

from .. import similarity
from ..lifecycle import OPEN_STATES
from ..models import Topic
from ..permissions import topic_policy
from ..services.similar import topic_pair_not_same
from ..similar import similar_topics

CLUSTER_DAYS = 90
CLUSTER_POOL = 3000


def _int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def _movable(user):
    return topic_policy.instances_user_can(user, "change")


def similar_answers(request) -> dict:
    """The 登记 form's similar-topic answers: ``merge_into`` (an open topic the user may move,
    or None) and ``not_same`` (such topics)."""
    movable = _movable(request.user).filter(status__in=OPEN_STATES)
    merge_pk = _int(request.POST.get("merge_into"))
    merge_into = movable.filter(pk=merge_pk).select_related("area").first() if merge_pk else None
    not_same_pks = [pk for pk in map(_int, request.POST.getlist("not_same")) if pk][:20]
    not_same = list(movable.filter(pk__in=not_same_pks).select_related("area"))
    return {"merge_into": merge_into, "not_same": not_same}


class SimilarTopicsView(RoleRequiredMixin, View):
    """GET: the panel for what is typed (``title``, ``description``, ``category``, ``venue`` or
    ``area``, and ``topic`` when it is an existing topic's page)."""

    allowed_roles = topic_policy.roles_for("change")

    def get(self, request):
        params = request.GET
        title = params.get("title", "")[:200]
        venue_pk, area_pk = _int(params.get("venue")), _int(params.get("area"))
        area = None
        if venue_pk:
            venue = Venue.objects.visible_to(request.user).select_related("area")
            venue = venue.filter(pk=venue_pk).first()
            area = venue.area if venue else None
        if area is None and area_pk:
            area = Area.objects.visible_to(request.user).filter(pk=area_pk).first()
        found = similar_topics(
            user=request.user,
            title=title,
            description=params.get("description", "")[:2000],
            category_id=_int(params.get("category")),
            area=area,
            exclude=[pk for pk in map(_int, params.getlist("exclude")) if pk][:50],
        )
        return render(
            request,
            "topics/includes/similar_topics.html",
            {
                "similar": found,
                "mode": "row" if params.get("mode") == "row" else "new",
                "form_id": params.get("form", "")[:40],
            },
        )


class TopicNotSameView(RoleRequiredMixin, View):
    """POST: "不是同一问题" for a topic and one offered beside it; back to the topic's page."""

    allowed_roles = topic_policy.roles_for("change")
    http_method_names = ["post"]

    def post(self, request, pk, other):
        movable = _movable(request.user).select_related("area")
        topic = get_object_or_404(movable, pk=pk)
        other_topic = get_object_or_404(movable, pk=other)
        if topic.pk == other_topic.pk:
            raise PermissionDenied("不能与自身比较。")
        topic_pair_not_same(actor=request.user, topic=topic, other=other_topic)
        messages.success(request, f"已记下:与议题 #{other_topic.pk} 不是同一问题,不再提示。")
        return redirect("topics:detail", pk=topic.pk)


class SimilarClustersView(RoleRequiredMixin, View):
    """Problems raised at several venues of an area in the last 90 days: groups of similar
    topics (any state but merged) from at least two venues, largest first."""

    # Office staff and leaders (the "district-wide problem" a leader wants to see).
    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER)
    template_name = "topics/similar_clusters.html"

    def get(self, request):
        areas = Area.objects.visible_to(request.user)
        area_pk = _int(request.GET.get("area"))
        area = areas.filter(pk=area_pk).first() if area_pk else None
        if area is None and not self.scope.everything:
            area = areas.filter(pk=self.scope.area_id).first()
        since = timezone.localdate() - datetime.timedelta(days=CLUSTER_DAYS)
        topics = (
            Topic.objects.visible_to(request.user)
            .exclude(status="merged")
            .filter(raised_on__gte=since, venue__isnull=False)
        )
        if area is not None:
            topics = topics.filter(area__path__startswith=area.path)
        rows = list(
            topics.select_related("venue", "area", "category").order_by("-raised_on", "-pk")[
                :CLUSTER_POOL
            ]
        )
        by_pk = {t.pk: t for t in rows}
        texts = [
            similarity.TopicText(t.pk, t.title, t.description, t.category_id, t.area.path)
            for t in rows
        ]
        groups = []
        for group in similarity.clusters(texts):
            members = sorted((by_pk[t.key] for t in group), key=lambda t: (t.raised_on, t.pk))
            venues = {t.venue_id for t in members}
            if len(venues) >= 2:
                groups.append({"topics": members, "venues": len(venues)})
        groups.sort(key=lambda g: (-g["venues"], -len(g["topics"]), -g["topics"][-1].pk))
        children = list(
            (Area.objects.get_children(area) if area is not None else areas.filter(depth=1)).only(
                "pk", "name"
            )
        )
        return render(
            request,
            self.template_name,
            {
                "area": area,
                "children": children,
                "groups": groups,
                "days": CLUSTER_DAYS,
                "pool_full": len(rows) >= CLUSTER_POOL,
            },
        )


def topic_similar_context(request, topic) -> dict:
    """The topic page's panel: open topics like this open one (only for those who may move
    it)."""
    if topic.status not in OPEN_STATES or not topic_policy.user_can(request.user, "change", topic):
        return {}
    found = similar_topics(
        user=request.user,
        title=topic.title,
        description=topic.description,
        category_id=topic.category_id,
        area=topic.area,
        key=topic.pk,
    )
    return {"similar": found, "mode": "topic", "topic": topic}
