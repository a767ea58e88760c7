"""The quarterly or annual work report of a node: what the page and its .xlsx both show.

Every figure comes from ``dashboards.figures`` (``headline`` for the node, ``child_rows`` for
the table by child) and every list of records from ``dashboards.records``: the report counts
nothing of its own, so a figure is the same number on the dashboard, the export and the report.
The two lists the report adds — top categories and exemplary cases — are read from
``records.topics_resolved`` (one grouped query, one list query).
"""

from __future__ import annotations

from django.db.models import Count

from topics.models import Rating

from . import figures, records
from .cases import rating_label, resolved_cases
from .periods import Period
from .report_text import headline_sentences, number, report_title
from .scope import DashboardScope

TOP_CATEGORIES = 5
EXEMPLARY_CASES = 5

# The columns of the table by child area (and of its sheet), in order; labels and units come
# from figures.DEFINITIONS so the report says what the dashboard says.
CHILD_COLUMNS = (
    "raised",
    "accepted",
    "agenda_topics",
    "accepted_resolved",
    "resolution_rate",
    "resolved",
    "on_time_rate",
    "avg_days",
    "satisfaction",
    "sessions",
    "members_present",
    "five_ones",
    "active_venues",
    "overdue",
)


def column_header(key: str) -> str:
    """ "办结率(%)", "办结议题(件)": the definition's label and unit."""
    definition = figures.DEFINITIONS_BY_KEY[key]
    return f"{definition.label}({definition.unit})"


def format_figure(key: str, value) -> str:
    """A figure in a table cell: exact, "—" when there is nothing to divide by, "%" on rates."""
    if value is None:
        return "—"
    if figures.DEFINITIONS_BY_KEY[key].is_rate:
        return f"{number(value)}%"
    return number(value)


def top_categories(node: DashboardScope, period: Period, resolved_total: int) -> list[dict]:
    """The five categories with the most topics resolved in the period (one grouped query)."""
    rows = (
        records.topics_resolved(node, period)
        .values("category__name")
        .annotate(resolved=Count("pk"))
        .order_by("-resolved", "category__sort_order", "category__name")[:TOP_CATEGORIES]
    )
    categories = []
    for row in rows:
        share = figures.percent(row["resolved"], resolved_total)
        categories.append(
            {
                "name": row["category__name"],
                "resolved": row["resolved"],
                "share": share,
                "share_text": "—" if share is None else f"{number(share)}%",
            }
        )
    return categories


def exemplary_cases(node: DashboardScope, period: Period) -> list[dict]:
    """Up to five topics resolved in the period, rated 满意, with a public summary; newest
    first. Public columns only (see ``dashboards.cases``)."""
    rows = (
        resolved_cases(node, period)
        .filter(rating=Rating.SATISFIED)
        .exclude(resolution_summary="")
        .values(
            "pk",
            "title",
            "category__name",
            "venue__name",
            "area__name",
            "lead_department",
            "raised_on",
            "resolved_on",
            "days_taken",
            "rating",
            "resolution_summary",
        )[:EXEMPLARY_CASES]
    )
    cases = []
    for row in rows:
        row["days"] = row.pop("days_taken").days
        row["rating_label"] = rating_label(row["rating"])
        cases.append(row)
    return cases


def _cells(values: dict) -> list[dict]:
    return [
        {"label": column_header(key), "value": format_figure(key, values[key])}
        for key in CHILD_COLUMNS
    ]


def build_report(node: DashboardScope, period: Period) -> dict:
    """Everything the report page and its .xlsx show."""
    head, children = figures.overview(node, period)
    node_figures = head["figures"]
    if node.is_venue:  # a venue's report has no table of other venues
        children = []
    child_kind = children[0]["kind"] if children else None
    return {
        "title": report_title(node.name, period),
        "period": period,
        "headline": head,
        "figures": node_figures,
        "tiles": head["tiles"],
        "sentences": headline_sentences(node_figures, period.kind),
        "child_rows": children,
        "child_kind": child_kind,
        "child_heading": "各阵地情况" if child_kind == "venue" else "下级区划情况",
        "child_columns": [{"key": key, "header": column_header(key)} for key in CHILD_COLUMNS],
        "child_cells": [{"row": row, "cells": _cells(row)} for row in children],
        "total_cells": _cells(node_figures),
        "tile_cells": [
            {
                **tile,
                "shown": format_figure(tile["key"], tile["value"]),
                "previous_shown": format_figure(tile["key"], tile["previous"])
                if figures.DEFINITIONS_BY_KEY[tile["key"]].compared
                else "",
            }
            for tile in head["tiles"]
        ],
        "categories": top_categories(node, period, node_figures["resolved"]),
        "cases": exemplary_cases(node, period),
    }
