"""List filters for reports and outcomes, applied to the already-scoped queryset."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from consult_portal.lists import ListFilterSet
from platforms.filters import keyword

from .models import (
    Level,
    Outcome,
    OutcomeKind,
    PublicOpinionReport,
    ReportAdoption,
    ReportAuthor,
    ReportStatus,
)


class ReportFilter(ListFilterSet):
    primary = ("q", "status")
    q = django_filters.CharFilter(label="关键词", method="filter_q")
    status = django_filters.ChoiceFilter(label="状态", choices=ReportStatus.choices)
    year = django_filters.NumberFilter(label="年度", field_name="submitted_on__year")
    adopted = django_filters.ChoiceFilter(
        label="采用层级", choices=Level.choices, method="filter_adopted"
    )

    class Meta:
        model = PublicOpinionReport
        fields = ["q", "status", "year", "adopted"]

    def filter_q(self, queryset, name, value):
        """Title or an author's name (a subquery: no duplicate rows from the join)."""
        value = value.strip()
        if not value:
            return queryset
        by_author = ReportAuthor.objects.filter(member__name__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Q(pk__in=by_author.values("report_id")))

    def filter_adopted(self, queryset, name, value):
        return queryset.filter(
            pk__in=ReportAdoption.objects.filter(level=value).values("report_id")
        )


class OutcomeFilter(ListFilterSet):
    primary = ("q", "kind")
    q = django_filters.CharFilter(label="关键词", method=keyword("title__icontains"))
    kind = django_filters.ChoiceFilter(label="类型", choices=OutcomeKind.choices)
    year = django_filters.NumberFilter(label="年度", field_name="date__year")

    class Meta:
        model = Outcome
        fields = ["q", "kind", "year"]
