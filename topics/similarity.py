"""How alike two topics are (issue 16, similar topics): pure functions, no database.

A topic is reduced to a ``TopicText``: the character pairs (bigrams) of its normalised title
(counted twice) and of the start of its description, its category and its area's materialized
path. Two topics score

    W_TEXT  × cosine of their TF-IDF bigram vectors (IDF from the pool being compared)
  + W_TITLE × rapidfuzz's ``ratio`` of the normalised titles (short titles, word order)
  + W_CATEGORY when the category is the same
  + W_PLACE × 1 in the same community, ½ in the same subdistrict

The IDF comes from the topics compared together (the candidates of one area), so the words of a
template every report shares ("外墙脱落存在安全隐患") weigh little and the words that name the
place ("阳光花园") weigh much: two reports of the same wall at one estate score high, the same
complaint about two estates does not. Weights and threshold are set on the labelled pairs of
``bench/similar.py`` (precision and recall printed there).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

W_TEXT = 0.45
W_TITLE = 0.25
W_CATEGORY = 0.1
W_PLACE = 0.1
W_NAMES = 0.25
THRESHOLD = 0.65
DESCRIPTION_CHARS = 120
IDF_FULL_POOL = 50
# Words residents and staff wrap around any problem; they say nothing about which one it is.
FILLERS = (
    "居民反映",
    "群众反映",
    "村民反映",
    "反映",
    "关于",
    "问题",
    "情况",
    "希望",
    "尽快",
    "解决",
    "请求",
    "建议",
    "亟待",
    "请相关部门处理",
    "相关部门",
    "相关",
    "难题",
    "的",
)
_FILLER_RE = re.compile("|".join(map(re.escape, FILLERS)))
# Residents name the place first ("阳光花园外墙脱落"): a short run of characters ending in a word
# for an estate, road or community. Two reports naming different places are different problems.
_PLACE_RE = re.compile(
    r"[\u4e00-\u9fff0-9]{1,6}?(?:小区|花园|家园|佳园|新村|公寓|名居|苑|社区|村|大道|路|街|巷|广场)"
)
NOT_PLACES = frozenset({"老旧小区", "小区", "道路", "线路", "思路", "马路", "出路", "农村", "乡村"})
_NOT_WORD = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")
# A materialized path step (treebeard's steplen): the community's parent is one step shorter.
PATH_STEP = 4


def normalise(text: str) -> str:
    """Letters, digits and CJK characters only, upper case, without filler words."""
    text = _NOT_WORD.sub("", (text or "").upper())
    return _FILLER_RE.sub("", text)


def place_names(text: str) -> frozenset[str]:
    """The place names a normalised title starts its phrases with (阳光花园, 夷陵大道)."""
    return frozenset(m for m in _PLACE_RE.findall(text) if m not in NOT_PLACES)


def names_agree(a: frozenset, b: frozenset) -> float:
    """1 when the titles name a place in common, -1 when both name places and none is shared,
    0 when either names none. Only a disagreement counts in the score: naming the same estate
    says nothing about whether it is the same problem there."""
    if not a or not b:
        return 0.0
    return 1.0 if a & b else -1.0


def bigrams(text: str) -> list[str]:
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


@dataclass
class TopicText:
    """What similarity reads of one topic (``key``: its id, or None for one being typed)."""

    key: int | None
    title: str
    description: str = ""
    category_id: int | None = None
    area_path: str = ""
    norm_title: str = field(init=False)
    grams: Counter = field(init=False)
    title_grams: Counter = field(init=False)
    places: frozenset = field(init=False)

    def __post_init__(self) -> None:
        self.norm_title = normalise(self.title)
        self.title_grams = Counter(bigrams(self.norm_title))
        grams = Counter(self.title_grams)
        grams.update(self.title_grams)  # the title counts twice
        grams.update(bigrams(normalise(self.description[:DESCRIPTION_CHARS])))
        self.grams = grams
        self.places = place_names(self.norm_title)


def idf_table(texts: Iterable[TopicText]) -> dict[str, float]:
    texts = list(texts)
    df: Counter = Counter()
    for text in texts:
        df.update(text.grams.keys())
    n = len(texts)
    # A handful of topics says little about which words are common: there the weights lean
    # towards 1 (in a pool of two, the words both share would otherwise weigh least).
    trust = min(1.0, n / IDF_FULL_POOL)
    return {gram: 1.0 + trust * math.log((n + 1) / (count + 1)) for gram, count in df.items()}


def _vector(grams: Counter, idf: dict[str, float]) -> dict[str, float]:
    default = max(idf.values(), default=1.0)
    return {g: c * idf.get(g, default) for g, c in grams.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(g, 0.0) for g, w in a.items())
    if not dot:
        return 0.0
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb)


def place_closeness(path_a: str, path_b: str) -> float:
    """1 in the same area, ½ under the same parent (a subdistrict's communities), else 0."""
    if not path_a or not path_b:
        return 0.0
    if path_a == path_b:
        return 1.0
    parent_a, parent_b = path_a[:-PATH_STEP], path_b[:-PATH_STEP]
    if parent_a and parent_a == parent_b:
        return 0.5
    # One area above the other (a topic of the subdistrict itself and one of its communities).
    if path_a.startswith(path_b) or path_b.startswith(path_a):
        return 0.5
    return 0.0


class Scorer:
    """Scores pairs within one pool of topics (the IDF is the pool's)."""

    def __init__(self, texts: Sequence[TopicText]):
        self.idf = idf_table(texts)
        self._vectors: dict[int, tuple[dict[str, float], dict[str, float]]] = {}

    def vectors(self, text: TopicText) -> tuple[dict[str, float], dict[str, float]]:
        """(title and description, title alone)."""
        key = id(text)
        if key not in self._vectors:
            self._vectors[key] = (
                _vector(text.grams, self.idf),
                _vector(text.title_grams, self.idf),
            )
        return self._vectors[key]

    def text_similarity(self, a: TopicText, b: TopicText) -> float:
        """The better of the whole texts' and the titles' cosines: a report typed without a
        description is not held against one with a long description."""
        (a_all, a_title), (b_all, b_title) = self.vectors(a), self.vectors(b)
        return max(_cosine(a_all, b_all), _cosine(a_title, b_title))

    def score(self, a: TopicText, b: TopicText) -> float:
        text = self.text_similarity(a, b)
        title = fuzz.ratio(a.norm_title, b.norm_title) / 100.0
        same_category = 1.0 if a.category_id and a.category_id == b.category_id else 0.0
        return (
            W_TEXT * text
            + W_TITLE * title
            + W_CATEGORY * same_category
            + W_PLACE * place_closeness(a.area_path, b.area_path)
            - W_NAMES * (names_agree(a.places, b.places) < 0)
        )


def rank(
    query: TopicText, candidates: Sequence[TopicText], *, limit: int = 5, threshold=THRESHOLD
) -> list[tuple[TopicText, float]]:
    """The candidates scoring at least ``threshold`` against ``query``, best first."""
    scorer = Scorer([query, *candidates])
    scored = [(c, scorer.score(query, c)) for c in candidates if c.key != query.key]
    scored = [(c, s) for c, s in scored if s >= threshold]
    scored.sort(key=lambda pair: (-pair[1], -(pair[0].key or 0)))
    return scored[:limit]


def clusters(
    texts: Sequence[TopicText], *, threshold=THRESHOLD, max_pairs_per_gram: int = 60
) -> list[list[TopicText]]:
    """Groups of topics linked by scores at or above ``threshold`` (single linkage). Pairs are
    only scored when they share a bigram that at most ``max_pairs_per_gram`` topics hold, so
    the cost grows with the pool, not its square (template words are in every topic)."""
    scorer = Scorer(texts)
    index: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        for gram in text.grams:
            index.setdefault(gram, []).append(i)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: set[tuple[int, int]] = set()
    for members in index.values():
        if len(members) < 2 or len(members) > max_pairs_per_gram:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                if find(i) != find(j) and scorer.score(texts[i], texts[j]) >= threshold:
                    parent[find(i)] = find(j)
    groups: dict[int, list[TopicText]] = {}
    for i, text in enumerate(texts):
        groups.setdefault(find(i), []).append(text)
    return [g for g in groups.values() if len(g) > 1]
