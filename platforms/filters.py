"""List filters for venues, and the area-tree filter every list shares."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from consult_portal.lists import ListFilterSet
from consult_portal.pinyin import pinyin_q
from consult_portal.roles import scope_for

from .models import Area, PlatformBrand, Venue, VenueKind

ACTIVE_CHOICES = (("1", "在用"), ("0", "停用"))


class AreaChoiceField(django_filters.fields.ModelChoiceField):
    """Areas indented by their depth below the user's own area, so the tree reads as a tree."""

    base_depth = 1

    def label_from_instance(self, obj: Area) -> str:
        return "\u3000" * max(obj.depth - self.base_depth, 0) + obj.name


class AreaSubtreeFilter(django_filters.ModelChoiceFilter):
    """Pick an area at any level; rows of that area and of every area below it match.

    ``prefix`` is the lookup path to the row's area (``area``, ``venue__area``). The choices are
    the areas in the user's scope; the match is one ``path LIKE 'prefix%'`` on the
    materialized path, so no join can duplicate a row.
    """

    field_class = AreaChoiceField

    def __init__(self, *args, prefix: str = "area", **kwargs):
        self.prefix = prefix
        kwargs.setdefault("label", "区划")
        kwargs.setdefault("empty_label", "全部区划")
        kwargs.setdefault("queryset", self._areas)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _areas(request):
        if request is None:
            return Area.objects.none()
        return Area.objects.visible_to(request.user).only("id", "name", "path", "depth")

    @property
    def field(self):
        field = super().field
        request = getattr(self.parent, "request", None)
        scope = scope_for(request.user) if request is not None else None
        if scope is not None and scope.area_path:
            field.base_depth = len(scope.area_path) // Area.steplen
        return field

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.filter(Q(**{f"{self.prefix}__path__startswith": value.path}))


def keyword_q(value: str, *lookups: str) -> Q:
    condition = Q()
    for lookup in lookups:
        condition |= Q(**{lookup: value})
    return condition


def keyword(*lookups: str, pinyin: bool = False):
    """A ``method`` for a keyword filter that ORs ``lookups`` (e.g. ``name__icontains``); with
    ``pinyin``, a query of latin letters also matches the name's pinyin (``wjg`` → 王建国), as
    the header search does."""

    def method(queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = keyword_q(value, *lookups)
        if pinyin and (by_pinyin := pinyin_q(value)) is not None:
            condition |= by_pinyin
        return queryset.filter(condition)

    return method


def yes_no(field: str):
    """A ``method`` for a "1"/"0" choice on a boolean field."""

    def method(queryset, name, value):
        return queryset.filter(**{field: value == "1"})

    return method


class VenueFilter(ListFilterSet):
    primary = ("q", "kind")

    q = django_filters.CharFilter(
        label="关键词",
        method=keyword("name__icontains", "code__iexact", "address__icontains", pinyin=True),
        widget=forms.TextInput(attrs={"placeholder": "名称、编号或地址", "type": "search"}),
    )
    kind = django_filters.ChoiceFilter(
        label="类型", choices=VenueKind.choices, empty_label="全部类型"
    )
    brand = django_filters.ModelChoiceFilter(
        label="品牌", queryset=PlatformBrand.objects.all(), empty_label="全部品牌"
    )
    area = AreaSubtreeFilter()
    active = django_filters.ChoiceFilter(
        label="状态",
        choices=ACTIVE_CHOICES,
        empty_label="全部",
        method=yes_no("is_active"),
    )

    class Meta:
        model = Venue
        fields = ["q", "kind", "brand", "area", "active"]
