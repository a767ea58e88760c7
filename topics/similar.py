"""Similar topics from the database (issue 16): candidates, scored by ``topics.similarity``.

Candidates are the open topics of the new topic's district and of the areas above it (a
subdistrict's own topics, the district's), as far as the caller's queryset reaches, that share
at least one character pair with the new title (PostgreSQL answers that from the
``cp_bigrams(title)`` GIN index of the search box; SQLite with ``LIKE``), the most recent
``CANDIDATES`` of them. They are scored in Python with the pool's IDF, and pairs staff called
"不是同一问题" are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import Overlap
from django.db import connection
from django.db.models import Q, TextField, Value

from consult_portal.search_index import Bigrams
from platforms.models import Area, AreaLevel

from . import similarity
from .lifecycle import OPEN_STATES
from .models import PairVerdict, Topic, TopicPair

CANDIDATES = 300
LIMIT = 5
# Character pairs in this many titles say nothing (小区, 问题 …); at most this many are looked up.
MAX_QUERY_PAIRS = 24


@dataclass
class Similar:
    topic: Topic
    score: float

    @property
    def percent(self) -> int:
        return min(100, round(self.score * 100))


def _district_prefix(area: Area) -> tuple[str, list[str]]:
    """The path of ``area``'s district (or of ``area`` itself above that level), and the paths
    of the areas above it (topics attached to them concern every area below)."""
    step = similarity.PATH_STEP
    path = area.path
    up = max(0, area.level - AreaLevel.DISTRICT)
    district = path[: len(path) - step * up]
    above = [district[:i] for i in range(step, len(district), step)]
    return district, above


def _overlap_q(title: str) -> Q:
    pairs = list(dict.fromkeys(similarity.bigrams(similarity.normalise(title))))
    # Longer titles: the pairs of each phrase's start and end carry the names; keep them all
    # up to the cap.
    pairs = pairs[:MAX_QUERY_PAIRS]
    if not pairs:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        value = Value(pairs, output_field=ArrayField(TextField()))
        return Q(Overlap(Bigrams("title"), value))
    condition = Q()
    for pair in pairs:
        condition |= Q(title__contains=pair)
    return condition


def not_same_partners(topic_id: int) -> set[int]:
    rows = TopicPair.objects.filter(
        Q(low_id=topic_id) | Q(high_id=topic_id), verdict=PairVerdict.NOT_SAME
    ).values_list("low_id", "high_id")
    return {low if high == topic_id else high for low, high in rows}


def similar_in(
    queryset,
    *,
    title: str,
    description: str = "",
    category_id: int | None = None,
    area: Area | None = None,
    exclude=(),
    key: int | None = None,
    limit: int = LIMIT,
) -> list[Similar]:
    """Up to ``limit`` open topics of ``queryset`` like the one described, best first."""
    if len(similarity.normalise(title)) < 2:
        return []
    candidates = queryset.filter(status__in=OPEN_STATES).filter(_overlap_q(title))
    if area is not None:
        district, above = _district_prefix(area)
        candidates = candidates.filter(Q(area__path__startswith=district) | Q(area__path__in=above))
    skip = set(exclude)
    if key is not None:
        skip |= not_same_partners(key) | {key}
    if skip:
        candidates = candidates.exclude(pk__in=skip)
    rows = list(
        candidates.select_related("area", "venue", "category").order_by("-raised_on", "-pk")[
            :CANDIDATES
        ]
    )
    query = similarity.TopicText(
        key, title, description or "", category_id, area.path if area else ""
    )
    texts = [
        similarity.TopicText(t.pk, t.title, t.description, t.category_id, t.area.path) for t in rows
    ]
    by_pk = {t.pk: t for t in rows}
    return [
        Similar(by_pk[text.key], score)
        for text, score in similarity.rank(query, texts, limit=limit)
    ]


def similar_topics(*, user, **kwargs) -> list[Similar]:
    """``similar_in`` over the topics ``user`` may see."""
    return similar_in(Topic.objects.visible_to(user), **kwargs)


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def flag_duplicates(topic: Topic) -> list[Similar]:
    """A resident's report just arrived: record the open topics it looks like as suggested
    pairs, so the office's queue flags it. Whatever the office may see of the district."""
    found = similar_in(
        Topic.objects.all(),
        title=topic.title,
        description=topic.description,
        category_id=topic.category_id,
        area=topic.area,
        key=topic.pk,
    )
    TopicPair.objects.bulk_create(
        [
            TopicPair(
                low_id=_ordered(topic.pk, s.topic.pk)[0],
                high_id=_ordered(topic.pk, s.topic.pk)[1],
                score=s.score,
            )
            for s in found
        ],
        ignore_conflicts=True,
    )
    return found
