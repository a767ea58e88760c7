"""Pinyin of names, for the search box: offices type 王建国 as ``wjg`` or ``wangjianguo``.

``search_pinyin(name)`` gives the full spelling without spaces, a space, then the initials, all
lowercase ASCII: ``"wangjianguo wjg"``. A query of latin letters matches it as a prefix of the
full spelling (``startswith``) or as a prefix of the initials (``contains(" " + query)``).

People's names read their first character with the surname reading (单 shan, 曾 zeng, 解 xie,
...): pypinyin reads characters by their common reading, and a surname table is the usual fix
(pypinyin has no surname mode). Compound surnames (尉迟, 长孙, ...) are read as a pair first.
"""

from __future__ import annotations

import re

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's common one. Compound ones first.
COMPOUND_SURNAMES = {
    "尉迟": ["yu", "chi"],
    "长孙": ["zhang", "sun"],
    "万俟": ["mo", "qi"],
    "单于": ["chan", "yu"],
    "澹台": ["tan", "tai"],
}
SURNAMES = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "盖": "ge",
    "覃": "qin",
    "尉": "wei",
    "乐": "yue",
    "缪": "miao",
    "翟": "zhai",
    "种": "chong",
    "秘": "bi",
    "员": "yun",
    "召": "shao",
    "宿": "su",
    "冼": "xian",
    "隗": "wei",
    "繁": "po",
    "薄": "bo",
    "牟": "mou",
    "句": "gou",
    "莘": "shen",
    "柏": "bai",
    "任": "ren",
    "沈": "shen",
    "华": "hua",
    "纪": "ji",
    "过": "guo",
    "阚": "kan",
    "能": "nai",
    "钭": "tou",
    "晟": "cheng",
    "臧": "zang",
}

MAX_LENGTH = 300  # the models' search_pinyin max_length
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
LATIN_QUERY = re.compile(r"^[A-Za-z][A-Za-z ']*$")


def _syllables(text: str) -> list[str]:
    """Lowercase ASCII pieces: one per Chinese character, runs of latin letters or digits as
    they are (``"A栋12号"`` → ``["a", "dong", "12", "hao"]``)."""
    pieces = []
    for piece in lazy_pinyin(text, style=Style.NORMAL, errors="default", v_to_u=False):
        # Non-Chinese runs come back whole ("A-3 "); split them into alphanumeric words.
        pieces.extend(word for word in _NOT_ALNUM.split(piece.lower()) if word)
    return pieces


def _compose(syllables: list[str]) -> str:
    initials = "".join(s[0] for s in syllables)
    full = "".join(syllables)[: max(0, MAX_LENGTH - len(initials) - 1)]
    return f"{full} {initials}".strip() if syllables else ""


def search_pinyin(text: str) -> str:
    """Full spelling and initials of a venue's or a unit's name (no surname reading)."""
    return _compose(_syllables(text or ""))


def person_pinyin(name: str) -> str:
    """Full spelling and initials of a person's name, the surname read as a surname."""
    name = (name or "").strip()
    head: list[str] = []
    for compound, reading in COMPOUND_SURNAMES.items():
        if name.startswith(compound):
            head, name = list(reading), name[len(compound) :]
            break
    else:
        if name[:1] in SURNAMES:
            head, name = [SURNAMES[name[0]]], name[1:]
    return _compose(head + _syllables(name))


def pinyin_query(query: str) -> str | None:
    """The query as a pinyin key (lowercase, no spaces or apostrophes) when it is latin letters
    only, else None (Chinese, digits and codes are matched as text)."""
    if not LATIN_QUERY.match(query):
        return None
    key = query.lower().replace(" ", "").replace("'", "")
    return key or None


def pinyin_q(query: str, field: str = "search_pinyin") -> Q | None:
    """Rows whose ``field`` (see ``search_pinyin``) starts with the query's pinyin key, or whose
    initials do; None when the query is not latin letters. ``i``-lookups so PostgreSQL uses the
    trigram index on ``UPPER(search_pinyin)`` (``consult_portal.search_index``)."""
    key = pinyin_query(query)
    if key is None:
        return None
    return Q(**{f"{field}__istartswith": key}) | Q(**{f"{field}__icontains": f" {key}"})


class SearchPinyinMixin:
    """For a model with ``name`` and ``search_pinyin``: the pinyin of the name follows every
    save. A derived column of the row alone (like ``auto_now``), so computing it in ``save()``
    covers the forms, the admin, the importers and the factories, which all save through the
    model; ``bulk_create`` callers call ``refresh_search_pinyin`` themselves."""

    pinyin_of = staticmethod(search_pinyin)  # person_pinyin for people (surname readings)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "name" in update_fields:
            self.refresh_search_pinyin()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_pinyin"}
        super().save(*args, **kwargs)

    def refresh_search_pinyin(self) -> None:
        self.search_pinyin = type(self).pinyin_of(self.name)
