"""The charts page and each chart's .xlsx (kept apart from views.py, which other pages share)."""

from __future__ import annotations

from django.http import Http404
from django.views import View
from django.views.generic import TemplateView

from consult_portal import audit

from .chart_xlsx import chart_xlsx_response
from .charts import CHARTS, all_charts
from .views import DashboardMixin


class ChartsView(DashboardMixin, TemplateView):
    """The charts of one node and period, each with its numbers in a table beneath it."""

    template_name = "dashboards/charts.html"
    tab = "charts"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        charts = all_charts(self.node, self.period)
        context["charts"] = charts
        context["chart_data"] = {chart.slug: chart.as_json() for chart in charts}
        return context


class ChartXlsxView(DashboardMixin, View):
    """One chart's table as .xlsx (404 for an unknown chart)."""

    def get(self, request, *args, **kwargs):
        build = CHARTS.get(kwargs["slug"])
        if build is None:
            raise Http404("没有这个图表。")
        self.setup_node()
        chart = build(self.node, self.period)
        audit.record_export(
            request,
            what=f"{self.node.name}{chart.title} {self.period.label}",
            rows=len(chart.rows),
            fmt="xlsx",
        )
        return chart_xlsx_response(chart, self.node, self.period)
