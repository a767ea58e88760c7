"""List filters for topics, sessions and departments, applied to the already-scoped queryset.

No filter here joins a multi-valued relation: the department filter asks ``EXISTS`` over the
referrals instead, and the status filter sets ``distinct=False`` (django-filter's multiple-choice
default adds ``SELECT DISTINCT``, which made the topic list five times slower on 100k rows).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from consult_portal.lists import ListFilterSet
from consult_portal.roles import scope_for
from consult_portal.search_index import contains_q
from platforms.filters import AreaSubtreeFilter, keyword, keyword_q, yes_no
from platforms.models import Venue

from .lifecycle import TopicStatus
from .models import (
    Consultation,
    ConsultationForm,
    ConsultationTopic,
    Department,
    DepartmentKind,
    Referral,
    Topic,
    TopicCategory,
    TopicSource,
)

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
RATED_CHOICES = (("1", "已评价"), ("0", "未评价"))


def _venues(request):
    if request is None:
        return Venue.objects.none()
    return Venue.objects.visible_to(request.user).only("id", "name").order_by("name", "pk")


def _departments(request):
    if request is None:
        return Department.objects.none()
    return Department.objects.visible_to(request.user).only("id", "name").order_by("name", "pk")


class TopicFilter(ListFilterSet):
    primary = ("q",)  # the status checkboxes lead the folding panel: 14 of them crowd a phone

    q = django_filters.CharFilter(
        label="关键词",
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": "标题、描述或查询码", "type": "search"}),
    )
    status = django_filters.MultipleChoiceFilter(
        label="状态",
        choices=TopicStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # one row per topic already; DISTINCT would only cost time
        method="filter_status",
    )
    category = django_filters.ModelChoiceFilter(
        label="类别", queryset=TopicCategory.objects.all(), empty_label="全部类别"
    )
    source = django_filters.ChoiceFilter(
        label="来源", choices=TopicSource.choices, empty_label="全部来源"
    )
    area = AreaSubtreeFilter()
    venue = django_filters.ModelChoiceFilter(label="阵地", queryset=_venues, empty_label="全部阵地")
    department = django_filters.ModelChoiceFilter(
        label="交办单位", queryset=_departments, empty_label="全部单位", method="filter_department"
    )
    raised_min = django_filters.DateFilter(
        label="提出日期从", field_name="raised_on", lookup_expr="gte", widget=DATE_WIDGET
    )
    raised_max = django_filters.DateFilter(
        label="提出日期至", field_name="raised_on", lookup_expr="lte", widget=DATE_WIDGET
    )
    overdue = django_filters.BooleanFilter(
        label="仅看逾期",
        method="filter_overdue",
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    rated = django_filters.ChoiceFilter(
        label="群众评价", choices=RATED_CHOICES, empty_label="全部", method="filter_rated"
    )
    # 协商议题: on at least one session's agenda (derived from the links, see DECISIONS).
    kind = django_filters.ChoiceFilter(
        label="类型",
        choices=[("problem", "群众问题"), ("agenda", "协商议题")],
        empty_label="全部",
        method="filter_kind",
    )

    class Meta:
        model = Topic
        fields = [
            "q",
            "status",
            "category",
            "source",
            "area",
            "venue",
            "department",
            "raised_min",
            "raised_max",
            "overdue",
            "rated",
            "kind",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The same lookups as the header search, so the same indexes (search_index.contains_q).
        return queryset.filter(
            contains_q(Topic, value, "title", "description")
            | keyword_q(value.upper(), "tracking_code")
        )

    @property
    def qs(self):
        queryset = super().qs
        # A merged duplicate lives on in its survivor: it is listed only when asked for by status.
        asked = self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("status")
        return queryset if asked else queryset.exclude(status=TopicStatus.MERGED)

    def filter_status(self, queryset, name, value):
        # One IN (...) rather than django-filter's OR chain; no join, so no DISTINCT.
        return queryset.filter(status__in=value) if value else queryset

    def filter_department(self, queryset, name, value):
        referred = Referral.objects.filter(topic=OuterRef("pk"), department=value)
        return queryset.filter(Exists(referred))

    def filter_overdue(self, queryset, name, value):
        # The one definition of "overdue" is topics.rules (TopicQuerySet.overdue applies it).
        return queryset.overdue() if value else queryset

    def filter_kind(self, queryset, name, value):
        on_agenda = Exists(ConsultationTopic.objects.filter(topic=OuterRef("pk")))
        if value == "agenda":
            return queryset.filter(on_agenda)
        return queryset.filter(~on_agenda) if value == "problem" else queryset

    def filter_rated(self, queryset, name, value):
        return queryset.exclude(rating="") if value == "1" else queryset.filter(rating="")


class ConsultationFilter(ListFilterSet):
    primary = ("q", "form")

    q = django_filters.CharFilter(
        label="关键词",
        method=keyword("title__icontains", "venue__name__icontains"),
        widget=forms.TextInput(attrs={"placeholder": "主题或阵地名称", "type": "search"}),
    )
    form = django_filters.ChoiceFilter(
        label="协商形式", choices=ConsultationForm.choices, empty_label="全部形式"
    )
    area = AreaSubtreeFilter(prefix="venue__area")
    venue = django_filters.ModelChoiceFilter(label="阵地", queryset=_venues, empty_label="全部阵地")
    held_min = django_filters.DateFilter(
        label="举办日期从", field_name="held_at__date", lookup_expr="gte", widget=DATE_WIDGET
    )
    held_max = django_filters.DateFilter(
        label="举办日期至", field_name="held_at__date", lookup_expr="lte", widget=DATE_WIDGET
    )
    minutes = django_filters.ChoiceFilter(
        label="纪要",
        choices=(("1", "已录入"), ("0", "未录入")),
        empty_label="全部",
        method="filter_minutes",
    )

    class Meta:
        model = Consultation
        fields = ["q", "form", "area", "venue", "held_min", "held_max", "minutes"]

    def filter_minutes(self, queryset, name, value):
        return queryset.exclude(minutes="") if value == "1" else queryset.filter(minutes="")


class DepartmentFilter(ListFilterSet):
    primary = ("q", "area")

    q = django_filters.CharFilter(
        label="关键词",
        method=keyword("name__icontains", "contact_name__icontains", pinyin=True),
        widget=forms.TextInput(attrs={"placeholder": "单位名称或联系人", "type": "search"}),
    )
    area = AreaSubtreeFilter()
    kind = django_filters.ChoiceFilter(
        label="单位类型", choices=DepartmentKind.choices, empty_label="全部类型"
    )
    active = django_filters.ChoiceFilter(
        label="状态",
        choices=(("1", "在用"), ("0", "停用")),
        empty_label="全部",
        method=yes_no("is_active"),
    )
    overdue = django_filters.BooleanFilter(
        label="仅看有逾期交办的单位",
        method="filter_overdue",
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    class Meta:
        model = Department
        fields = ["q", "area", "kind", "active", "overdue"]

    def filter_overdue(self, queryset, name, value):
        from .selectors import overdue_referrals

        if not value:
            return queryset
        # Only the referrals of topics the user sees (a city unit in a district's list).
        mine = scope_for(self.request.user).area_q("topic__area")
        late = overdue_referrals().filter(mine, department=OuterRef("pk"))
        return queryset.filter(Exists(late))
