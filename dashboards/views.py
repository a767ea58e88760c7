"""Leadership pages: every one shows a node of the area tree for a period."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.generic import ListView, TemplateView

from consult_portal import audit
from consult_portal.jobs import export_as_job
from consult_portal.lists import (
    Column,
    EmptyState,
    FilteredListMixin,
    Sort,
    filter_params,
    header_cells,
    parse_sort,
)
from consult_portal.replica import ReplicaReadsMixin
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from proposals import figures as record_figures

from . import figures
from .cases import CASE_EXPORT, CaseFilter, resolved_cases
from .exports import overview_xlsx_response
from .figures import DEFINITIONS
from .periods import period_from_request
from .report import build_report
from .report_docx import report_docx_response
from .report_xlsx import report_xlsx_response
from .scope import DashboardScope, resolve_scope
from .templatetags.dashboard_figures import figure

DASHBOARD_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER)


def node_of(scope: DashboardScope) -> str:
    return scope.key


def resolve_node(user, node: str) -> DashboardScope:
    """``a12`` → area 12, ``v34`` → venue 34; 404 above or beside the user's area."""
    kind, pk = node[0], int(node[1:])
    if kind == "v":
        return resolve_scope(user, venue_id=pk)
    return resolve_scope(user, area_id=pk)


class DashboardMixin(ReplicaReadsMixin, RoleRequiredMixin):
    """Resolves ``self.node`` (a ``DashboardScope``) and ``self.period`` for a dashboard page,
    read from the replica when there is one (``consult_portal.replica``).

    Templates extend ``dashboards/base.html``, which draws the breadcrumb, the period picker and
    the tabs; set ``tab`` to the page's tab key.
    """

    allowed_roles = DASHBOARD_ROLES
    tab = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def setup_node(self):
        self.node = resolve_node(self.request.user, self.kwargs["node"])
        self.period, self.period_form = period_from_request(self.request)

    def get(self, request, *args, **kwargs):
        self.setup_node()
        return super().get(request, *args, **kwargs)

    def period_querystring(self) -> str:
        from django.utils.http import urlencode

        return urlencode(self.period.as_query())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            node=self.node,
            node_key=self.node.key,
            period=self.period,
            period_form=self.period_form,
            period_query=self.period_querystring(),
            breadcrumb=[{"name": a.name, "key": f"a{a.pk}"} for a in self.node.breadcrumb()],
            tab=self.tab,
        )
        return context


def ranking_columns() -> list[Column]:
    """The ranking table's columns: the child's name, then every figure (all sortable)."""
    columns = [Column("name", "名称", fields=("name",))]
    for d in DEFINITIONS:
        label = f"{d.label}({d.unit})"
        columns.append(Column(d.key, label, fields=(d.key,), desc_first=True))
    return columns


def sort_rows(rows: list[dict], sort: Sort | None) -> list[dict]:
    """Child rows in the chosen order; a figure with no value ("—") goes last either way.
    Ties keep the tree order."""
    if sort is None:
        return rows
    key = sort.key
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(key=lambda r: r[key], reverse=sort.descending)
    return present + missing


def sort_options(current: Sort | None) -> list[dict]:
    """The same orders as the header links, as a list for phones (where the header is hidden)."""
    options = [{"value": "", "label": "默认顺序", "selected": current is None}]
    for column in ranking_columns():
        for descending in (True, False):
            value = f"-{column.key}" if descending else column.key
            if column.key == "name":
                order = "(倒序)" if descending else "(顺序)"
            else:
                order = "从高到低" if descending else "从低到高"
            options.append(
                {
                    "value": value,
                    "label": f"{column.label} {order}",
                    "selected": current is not None and current.param == value,
                }
            )
    return options


class OverviewView(DashboardMixin, TemplateView):
    """The dashboard of one node: a tile per figure compared with the previous period, and the
    ranking of its children (child areas, or a community's venues) sortable by any figure."""

    template_name = "dashboards/overview.html"
    tab = "overview"

    def overview(self) -> tuple[dict, list[dict], Sort | None]:
        result, rows = figures.overview(self.node, self.period)
        sort = parse_sort(self.request.GET.get("sort", ""), ranking_columns())
        return result, sort_rows(rows, sort), sort

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result, rows, sort = self.overview()
        labels = [(d.key, f"{d.label}({d.unit})") for d in DEFINITIONS]
        # The cells as text here: 13 lookups and filters per child cost more in the template.
        ranking = [(row, [(label, figure(row[key])) for key, label in labels]) for row in rows]
        # 合计: the node's own figures (a venue is compared with its neighbours: no total).
        own = result["figures"]
        total_cells = (
            [] if self.node.is_venue else [(label, figure(own[key])) for key, label in labels]
        )
        context.update(
            ranking=ranking,
            total_cells=total_cells,
            headline=result,
            tiles=result["tiles"],
            rows=rows,
            child_kind=rows[0]["kind"] if rows else "",
            header_cells=header_cells(self.request.GET, ranking_columns(), sort),
            sort_options=sort_options(sort),
            period_fields=self.period.as_query().items(),
            export_query=self.request.GET.urlencode(),
            records=self.records(),
        )
        return context

    def records(self) -> dict | None:
        """社情民意 and 协商成果 (issue 15): their own block, by area (none on a venue's page:
        reports and outcomes belong to a committee, not a venue)."""
        if self.node.is_venue:
            return None
        previous = self.period.previous()
        return record_figures.record_figures(
            area_q=lambda lookup: self.node.q(area=lookup, venue=None),
            start=self.period.start,
            end=self.period.effective_end,
            previous_start=previous.start,
            previous_end=previous.effective_end,
        )


class OverviewXlsxView(OverviewView):
    """The overview as an Excel workbook: the same tiles and ranking (in the page's order)."""

    def get(self, request, *args, **kwargs):
        self.setup_node()
        result, rows, _sort = self.overview()
        audit.record_export(
            request,
            what=f"{self.node.name}指标与排名 {self.period.label}",
            rows=len(rows),
            fmt="xlsx",
        )
        return overview_xlsx_response(self.node, self.period, result, rows)


class DashboardHomeView(RoleRequiredMixin, View):
    """/dashboard/ → the user's own area."""

    allowed_roles = DASHBOARD_ROLES

    def get(self, request):
        scope = resolve_scope(request.user)
        url = reverse("dashboards:overview", args=[scope.key])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)


class DefinitionsView(RoleRequiredMixin, TemplateView):
    """口径说明: what every figure counts, precise enough to check by hand."""

    allowed_roles = DASHBOARD_ROLES
    template_name = "dashboards/definitions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        back_url = None
        node = self.request.GET.get("node", "")
        if re.fullmatch(r"[av][0-9]{1,12}", node):
            query = self.request.GET.copy()
            query.pop("node")
            back_url = reverse("dashboards:overview", args=[node])
            if query:
                back_url += "?" + query.urlencode()
        context.update(
            definitions=DEFINITIONS,
            record_definitions=record_figures.DEFINITIONS,
            back_url=back_url,
            tab="definitions",
        )
        return context


# -- Resolved cases (办结案例) ----------------------------------------------------------------

# The period picker's parameters: state of the page, not filters of the list.
PERIOD_PARAMS = ("period", "year", "quarter", "month", "start", "end")


class CasesView(DashboardMixin, FilteredListMixin, ListView):
    """Resolved topics of the node in the period, with their public summary: material for
    publicity (成果展示). Filters, sorting, 25 a page and exports come from FilteredListMixin."""

    template_name = "dashboards/cases.html"
    context_object_name = "cases"
    # The dashboard states exact figures ("办结 N 件"): no bounded count here.
    paginator_class = Paginator
    tab = "cases"
    filterset_class = CaseFilter
    export_spec = CASE_EXPORT
    default_sort = "-resolved_on"
    columns = [
        Column("title", "议题与办理结果", ("title",)),
        Column("venue", "阵地", ("venue__name",), nullable=True),
        Column("department", "主办部门", ("lead_department",), nullable=True),
        Column("raised_on", "提出日期", ("raised_on",), desc_first=True),
        Column("resolved_on", "办结日期", ("resolved_on",), desc_first=True),
        Column("days", "办理天数", ("days_taken",), desc_first=True),
        Column("rating", "群众评价"),
    ]
    empty_state = EmptyState(
        noun="办结案例",
        hint="所选周期内本区域还没有办结的议题;可以换一个统计周期看看。",
    )

    def get_base_queryset(self):
        return resolved_cases(self.node, self.period)

    def get_export_area_name(self) -> str:
        # The dashboard's node (an area or a venue), not the user's own area.
        return self.node.name

    def sort_options(self, current: str) -> list[dict]:
        options = []
        for column in self.columns:
            if not column.sortable:
                continue
            for descending in (column.desc_first, not column.desc_first):
                value = f"-{column.key}" if descending else column.key
                order = "从新到旧" if descending else "从旧到新"
                if column.key == "days":
                    order = "从多到少" if descending else "从少到多"
                elif column.key in ("title", "venue", "department"):
                    order = "倒序" if descending else "顺序"
                label = column.label.removesuffix("与办理结果")
                options.append(
                    {"value": value, "label": f"{label} {order}", "selected": value == current}
                )
        return options

    def get_filterset(self):
        if not hasattr(self, "_filterset"):
            self._filterset = self.filterset_class(
                self.request.GET or None,
                queryset=self.get_base_queryset(),
                request=self.request,
                node=self.node,
            )
        return self._filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        for key in (*PERIOD_PARAMS, "export"):
            params.pop(key, None)
        active = filter_params(params)
        keep = self.period.as_query()
        if params.get("sort"):
            keep["sort"] = params["sort"]
        context.update(
            is_filtered=bool(active),
            active_filter_count=len(active),
            clear_url="?" + urlencode(keep),
            # The filter form carries the period along, so filtering keeps it.
            hidden_params=sorted(self.period.as_query().items()),
            # On a phone the header (and its sort links) is hidden: the same orders as a list.
            sort_options=self.sort_options(context["current_sort"]),
            sort_keep=[
                (key, value)
                for key in self.request.GET
                if key not in ("sort", "page", "export")
                for value in self.request.GET.getlist(key)
            ],
        )
        return context


# -- Work report (工作报告) --------------------------------------------------------------------


class ReportView(DashboardMixin, TemplateView):
    """A print-ready (A4) quarterly or annual report of the node, built on dashboards.figures."""

    template_name = "dashboards/report.html"
    tab = "report"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = build_report(self.node, self.period)
        return context


class ReportXlsxView(DashboardMixin, View):
    """The report's figures, child table, categories and cases as an .xlsx."""

    def get(self, request, *args, **kwargs):
        self.setup_node()  # an area out of the user's reach is a 404 before anything is queued
        if settings.REPORT_WORKBOOK_AS_JOB and (
            queued := export_as_job(request, label=f"导出{self.node.name}工作报告(Excel)")
        ):
            return queued
        report = build_report(self.node, self.period)
        audit.record_export(
            request, what=report["title"], rows=len(report["child_rows"]), fmt="xlsx"
        )
        return report_xlsx_response(report, node_name=self.node.name, node_key=self.node.key)


class ReportDocxView(DashboardMixin, View):
    """The report as a Word file (issue 16), built from the same ``build_report`` as the page."""

    def get(self, request, *args, **kwargs):
        self.setup_node()
        report = build_report(self.node, self.period)
        audit.record_export(
            request, what=report["title"], rows=len(report["child_rows"]), fmt="docx"
        )
        return report_docx_response(report, node_name=self.node.name, node_key=self.node.key)
