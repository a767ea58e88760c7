"""The header search box: one query across the kinds a user may see, each kind scoped by its
model's ``visible_to`` before it is filtered (never filter first).

Matching: Chinese and other text by substring (``icontains``: ``LIKE '%…%'``, from the trigram
indexes on PostgreSQL, ``consult_portal.search_index``); a query of latin letters also by the
pinyin of names (``consult_portal.pinyin``); a tracking code exactly. One query per kind, each
limited to ``PER_KIND + 1`` rows (the extra row says "there are more"), so the number of queries
does not grow with the number of matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from consult_portal.pinyin import pinyin_q
from consult_portal.roles import Role, Scope
from consult_portal.search_index import contains_q
from members.models import Member
from platforms.models import Venue
from topics.lifecycle import TopicStatus
from topics.models import TRACKING_ALPHABET, TRACKING_LENGTH, Consultation, Department, Topic

MAX_QUERY = 100
PER_KIND = 10
TRACKING_CODE = re.compile(f"[{TRACKING_ALPHABET}]{{{TRACKING_LENGTH}}}")
# The list pages (``?q=`` keyword filters) are for office staff and leaders.
LIST_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER)


@dataclass
class Query:
    text: str  # what is searched: cleaned, at most MAX_QUERY characters
    truncated: bool = False


@dataclass
class Group:
    key: str
    label: str
    rows: list = field(default_factory=list)
    has_more: bool = False
    more_url: str | None = None  # the kind's list page filtered by the same keyword


def clean_query(raw: str) -> Query:
    """The query as searched: control characters (NUL breaks PostgreSQL) dropped, whitespace
    collapsed, cut to ``MAX_QUERY`` characters."""
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in raw or "")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY:
        return Query(text[:MAX_QUERY].strip(), truncated=True)
    return Query(text)


def tracking_code_topic(user, text: str) -> Topic | None:
    """The topic whose tracking code the query is, when the user may see it."""
    code = text.upper()
    if not TRACKING_CODE.fullmatch(code):
        return None
    return Topic.objects.visible_to(user).filter(tracking_code=code).only("pk").first()


def _more_url(scope: Scope, url_name: str, text: str) -> str | None:
    if scope.role not in LIST_ROLES:
        return None
    return f"{reverse(url_name)}?{urlencode({'q': text})}"


def _with_pinyin(condition: Q, text: str) -> Q:
    by_pinyin = pinyin_q(text)
    return condition | by_pinyin if by_pinyin is not None else condition


def _take(group: Group, queryset) -> Group:
    rows = list(queryset[: PER_KIND + 1])
    group.rows, group.has_more = rows[:PER_KIND], len(rows) > PER_KIND
    if not group.has_more:
        group.more_url = None
    return group


def search(*, user, scope: Scope, text: str) -> list[Group]:
    """The groups of results for ``text``, in a fixed order, each within the user's scope."""
    topics = (
        Topic.objects.visible_to(user)
        .exclude(status=TopicStatus.MERGED)
        .filter(contains_q(Topic, text, "title", "description") | Q(tracking_code=text.upper()))
        .select_related("venue", "area")
        .only(
            "pk",
            "title",
            "status",
            "tracking_code",
            "raised_on",
            "venue__name",
            "area__name",
        )
        .order_by("-raised_on", "-pk")
    )
    members = (
        Member.objects.visible_to(user)
        .filter(_with_pinyin(Q(name__icontains=text), text))
        .select_related("area")
        .only("pk", "name", "work_unit", "title", "is_active", "area__name")
        .order_by("name", "pk")
    )
    venues = (
        Venue.objects.visible_to(user)
        .filter(_with_pinyin(Q(name__icontains=text) | Q(code__iexact=text), text))
        .select_related("area")
        .only("pk", "name", "code", "is_active", "area__name")
        .order_by("name", "pk")
    )
    departments = (
        Department.objects.visible_to(user)
        .filter(_with_pinyin(Q(name__icontains=text), text))
        .select_related("area")
        .only("pk", "name", "is_active", "area__name")
        .order_by("name", "pk")
    )
    sessions = (
        Consultation.objects.visible_to(user)
        .filter(title__icontains=text)
        .select_related("venue")
        .only("pk", "title", "held_at", "venue__name")
        .order_by("-held_at", "-pk")
    )
    return [
        _take(Group("topics", "议题", more_url=_more_url(scope, "topics:list", text)), topics),
        _take(Group("members", "委员", more_url=_more_url(scope, "members:list", text)), members),
        _take(
            Group("venues", "协商阵地", more_url=_more_url(scope, "platforms:venue_list", text)),
            venues,
        ),
        _take(
            Group(
                "departments",
                "承办单位",
                more_url=_more_url(scope, "topics:department_list", text),
            ),
            departments,
        ),
        _take(
            Group(
                "sessions",
                "协商活动",
                more_url=_more_url(scope, "topics:consultation_list", text),
            ),
            sessions,
        ),
    ]
