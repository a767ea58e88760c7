"""Resolved cases (办结案例): the resolved topics of a node and period, told for publicity.

Only public columns are read: the title, the public resolution summary (``resolution_summary``,
written when the topic is resolved, the same text residents see with their tracking code), the
venue, the lead department, dates and the residents' rating. Internal notes and the resident's
name and phone are never loaded.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from consult_portal.exports import ExportColumn, ExportSpec
from consult_portal.lists import ListFilterSet
from platforms.filters import keyword
from platforms.models import Area, Venue
from topics.models import Department, Rating, Referral, ReferralRole, Topic, TopicCategory

from .periods import Period
from .records import topics_resolved
from .scope import DashboardScope

RATING_NONE = "none"
RATING_NONE_LABEL = "未评价"
RATING_CHOICES = [*Rating.choices, (RATING_NONE, RATING_NONE_LABEL)]

# Everything a case row shows; nothing else of the topic is loaded.
PUBLIC_FIELDS = (
    "title",
    "raised_on",
    "resolved_on",
    "resolution_summary",
    "rating",
    "category__name",
    "venue__name",
    "area__name",
)


def lead_department_name() -> Subquery:
    """The name of the topic's lead department (主办, at most one per topic by constraint)."""
    return Subquery(
        Referral.objects.filter(topic=OuterRef("pk"), role=ReferralRole.LEAD).values(
            "department__name"
        )[:1]
    )


def days_taken() -> ExpressionWrapper:
    """resolved_on − raised_on as an interval (a ``timedelta``; ``.days`` is the figure)."""
    return ExpressionWrapper(F("resolved_on") - F("raised_on"), output_field=DurationField())


def resolved_cases(node: DashboardScope, period: Period) -> QuerySet[Topic]:
    """Topics resolved inside ``node`` during ``period`` (the same records the 办结 figure
    counts), newest resolution first, with the lead department and the days taken."""
    return (
        topics_resolved(node, period)
        .select_related("category", "venue", "area")
        .only(*PUBLIC_FIELDS)
        .annotate(lead_department=lead_department_name(), days_taken=days_taken())
        .order_by("-resolved_on", "-pk")
    )


def rating_label(value: str) -> str:
    return dict(Rating.choices).get(value, RATING_NONE_LABEL)


def _venues_in(node: DashboardScope) -> QuerySet[Venue]:
    return Venue.objects.filter(node.q(area="area", venue="pk")).only("id", "name")


def _departments_for(node: DashboardScope, user) -> QuerySet[Department]:
    """Departments that can lead a topic of the node: those of the node's area, of the areas
    below it, and of the areas above it (a community's topics go to the district's bureaus),
    within what the user may see."""
    area = node.venue.area if node.is_venue else node.area
    step = Area.steplen
    ancestors = [area.path[: step * d] for d in range(1, area.depth)]
    return (
        Department.objects.visible_to(user)
        .filter(Q(area__path__startswith=area.path) | Q(area__path__in=ancestors))
        .only("id", "name")
        .order_by("name", "pk")
    )


class CaseFilter(ListFilterSet):
    primary = ("q", "rating")

    q = django_filters.CharFilter(
        label="关键词",
        method=keyword("title__icontains", "resolution_summary__icontains"),
        widget=forms.TextInput(attrs={"placeholder": "标题或办理结果", "type": "search"}),
    )
    rating = django_filters.ChoiceFilter(
        label="群众评价", choices=RATING_CHOICES, empty_label="全部评价", method="filter_rating"
    )
    category = django_filters.ModelChoiceFilter(
        label="类别", queryset=TopicCategory.objects.all(), empty_label="全部类别"
    )
    venue = django_filters.ModelChoiceFilter(
        label="阵地", queryset=Venue.objects.none(), empty_label="全部阵地"
    )
    department = django_filters.ModelChoiceFilter(
        label="主办部门",
        queryset=Department.objects.none(),
        empty_label="全部部门",
        method="filter_department",
    )

    class Meta:
        model = Topic
        fields = ["q", "rating", "category", "venue", "department"]

    def __init__(self, *args, node: DashboardScope, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices inside the node only; a venue or department outside it is refused by the form
        # ("请选择有效的选项") rather than silently matching nothing.
        self.form.fields["venue"].queryset = _venues_in(node).order_by("name", "pk")
        user = self.request.user if self.request is not None else None
        self.form.fields["department"].queryset = _departments_for(node, user)

    def filter_rating(self, queryset, name, value):
        if value == RATING_NONE:
            return queryset.filter(rating="")
        return queryset.filter(rating=value)

    def filter_department(self, queryset, name, value):
        led = Referral.objects.filter(
            topic=OuterRef("pk"), department=value, role=ReferralRole.LEAD
        )
        return queryset.filter(Exists(led))


CASE_EXPORT = ExportSpec(
    basename="办结案例",
    ascii_name="resolved_cases",
    columns=(
        ExportColumn("议题", "title", width=36),
        ExportColumn("类别", "category__name", width=12),
        ExportColumn("办理结果(公开)", "resolution_summary", width=50),
        ExportColumn("阵地", "venue__name", width=24),
        ExportColumn("所属区划", "area__name", width=12),
        ExportColumn("主办部门", "lead_department", width=18),
        ExportColumn("提出日期", "raised_on", width=12),
        ExportColumn("办结日期", "resolved_on", width=12),
        ExportColumn(
            "办理天数",
            func=lambda row: row["days_taken"].days if row["days_taken"] is not None else None,
            needs=("days_taken",),
            width=10,
        ),
        ExportColumn("群众评价", func=lambda row: rating_label(row["rating"]), needs=("rating",)),
    ),
)
