"""The same problem reported twice in other words (issue 16, similar topics).

``reword`` turns a demo topic's title into what a second resident at another venue might
write ("阳光花园外墙脱落存在安全隐患" → "居民反映阳光花园外墙脱落有安全风险,希望尽快解决"), and
``labelled_pairs`` builds the labelled set that ``bench/similar.py`` measures the similarity
scorer on: the same problem reworded (positive), and three kinds of different problems — the
same complaint about another estate or road, another complaint about the same estate, and
anything else of another category (negatives).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import texts
from .places import COMMUNITY_STEMS, ESTATE_STEMS, ESTATE_SUFFIXES, ROADS

PREFIXES = ("", "", "居民反映", "群众反映", "关于", "反映")
SUFFIXES = ("", "问题", "的问题", ",希望尽快解决", ",亟待解决", ",请相关部门处理")
# Words a second reporter uses for the same thing (applied both ways, a few at a time).
SYNONYMS = (
    ("存在安全隐患", "有安全风险"),
    ("安全隐患", "安全风险"),
    ("老化", "陈旧"),
    ("进度缓慢", "迟迟没有推进"),
    ("不足", "不够用"),
    ("停车难", "停车困难"),
    ("拥堵", "堵塞"),
    ("混乱", "无序"),
    ("断水", "停水"),
    ("周边", "附近"),
    ("路段", "一带"),
    ("问题", "难题"),
    ("改造", "整修"),
    ("费用分担", "费用怎么分摊"),
    ("意见协调", "意见不统一"),
    ("施工扰民", "施工噪音扰民"),
    ("水压不足", "水压太低"),
    ("管理问题", "没人管"),
)
DESCRIPTION_OPENINGS = (
    "{place}居民到驻站反映:",
    "网格员巡查发现,",
    "多名群众来电反映,",
    "",
)


def reword(title: str, rng: random.Random) -> str:
    """``title`` as another reporter might put it: synonyms, a prefix, a suffix."""
    words = list(SYNONYMS)
    rng.shuffle(words)
    changed = 0
    for old, new in words:
        if changed >= 2:
            break
        if old in title:
            title = title.replace(old, new, 1)
            changed += 1
        elif new in title:
            title = title.replace(new, old, 1)
            changed += 1
    title = rng.choice(PREFIXES) + title
    suffix = rng.choice(SUFFIXES)
    if suffix in ("问题", "的问题") and title.endswith("问题"):
        suffix = ""
    return (title + suffix)[:200]


def reword_description(description: str, place: str, rng: random.Random) -> str:
    return rng.choice(DESCRIPTION_OPENINGS).format(place=place) + description


@dataclass
class Report:
    """One reported problem of the labelled set."""

    title: str
    description: str
    category: str
    area_path: str
    venue: str


@dataclass
class Pair:
    a: Report
    b: Report
    same: bool
    kind: str  # reworded / other place / other problem / other category


def _words(rng: random.Random, place: str, sub: str) -> dict:
    return {
        "estate": rng.choice(ESTATE_STEMS) + rng.choice(ESTATE_SUFFIXES),
        "road": rng.choice(ROADS),
        "place": place,
        "sub": sub,
        "district": "西陵区",
        "n": rng.randint(1, 12),
        "category": "",
        "detail": rng.choice(texts.DETAILS),
    }


def labelled_pairs(count: int, *, seed: int = 16) -> list[Pair]:
    """``count`` pairs (at least 4), a quarter of each kind, from the demo's texts and places.

    Places: ``subdistricts`` of 6 communities each, paths as treebeard writes them (4 characters
    a level), so a reworded report comes from the same community or a neighbouring one."""
    rng = random.Random(seed)
    categories = list(texts.CATEGORY_TEXTS.items())
    communities = []
    for s in range(6):
        for c in range(6):
            name = COMMUNITY_STEMS[(s * 6 + c) % len(COMMUNITY_STEMS)] + "社区"
            communities.append((f"00010001{s + 1:04d}{c + 1:04d}", name, f"第{s + 1}街道", s))

    def report(category, template, words, community) -> Report:
        name, text = category
        path, place, sub, _ = community
        words = {**words, "place": place, "sub": sub, "category": name}
        return Report(
            title=template.format(**words),
            description=text.description.format(**words),
            category=name,
            area_path=path,
            venue=f"{place}协商议事厅",
        )

    pairs: list[Pair] = []
    kinds = ("reworded", "other place", "other problem", "other category")
    for i in range(count):
        kind = kinds[i % 4]
        category = rng.choice(categories)
        template = rng.choice(category[1].titles)
        community = rng.choice(communities)
        words = _words(rng, community[1], community[2])
        a = report(category, template, words, community)
        neighbours = [c for c in communities if c[3] == community[3]]
        if kind == "reworded":
            other = rng.choice(neighbours)
            b = report(category, template, words, other)
            b.title = reword(a.title, rng)
            # Staff typing a topic often give a title only.
            if rng.random() < 0.3:
                b.description = ""
            else:
                b.description = reword_description(a.description, other[1], rng)
            pairs.append(Pair(a, b, True, kind))
        elif kind == "other place":
            # The same complaint about another estate, road or community nearby.
            other = rng.choice(neighbours)
            other_words = _words(rng, other[1], other[2])
            b = report(category, template, other_words, other)
            if b.title == a.title:  # a template naming only the community, same community
                other = rng.choice([c for c in neighbours if c[1] != community[1]] or [other])
                b = report(category, template, _words(rng, other[1], other[2]), other)
            b.title = reword(b.title, rng)
            pairs.append(Pair(a, b, False, kind))
        elif kind == "other problem":
            # Another complaint of the same category about the same estate.
            others = [t for t in category[1].titles if t != template] or [template]
            b = report(category, rng.choice(others), words, community)
            pairs.append(Pair(a, b, b.title == a.title, kind))
        else:
            other_category = rng.choice([c for c in categories if c[0] != category[0]])
            b = report(other_category, rng.choice(other_category[1].titles), words, community)
            pairs.append(Pair(a, b, False, kind))
    return pairs
