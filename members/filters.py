"""List filters for members (委员), applied to the already-scoped queryset."""

from __future__ import annotations

import django_filters
from django import forms

from consult_portal.lists import ListFilterSet
from platforms.filters import AreaSubtreeFilter, keyword, yes_no

from .models import CommitteeLevel, Member, PoliticalStatus, Sector


class MemberFilter(ListFilterSet):
    primary = ("q", "sector")

    q = django_filters.CharFilter(
        label="关键词",
        method=keyword("name__icontains", "work_unit__icontains", "phone__contains", pinyin=True),
        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音、单位或电话", "type": "search"}),
    )
    sector = django_filters.ModelChoiceFilter(
        label="界别", queryset=Sector.objects.all(), empty_label="全部界别"
    )
    political_status = django_filters.ChoiceFilter(
        label="政治面貌", choices=PoliticalStatus.choices, empty_label="全部"
    )
    committee_level = django_filters.ChoiceFilter(
        label="委员层级", choices=CommitteeLevel.choices, empty_label="全部层级"
    )
    area = AreaSubtreeFilter(label="所属政协")
    active = django_filters.ChoiceFilter(
        label="状态",
        choices=(("1", "在任"), ("0", "已停用")),
        empty_label="全部",
        method=yes_no("is_active"),
    )

    class Meta:
        model = Member
        fields = ["q", "sector", "political_status", "committee_level", "area", "active"]
