"""Dashboard URLs. A node is ``a<area id>`` or ``v<venue id>``: /dashboard/a12/, /dashboard/v34/."""

from django.urls import path, register_converter

from . import chart_views, views


class NodeConverter:
    regex = r"[av][0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(NodeConverter, "node")

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardHomeView.as_view(), name="home"),
    path("definitions/", views.DefinitionsView.as_view(), name="definitions"),
    path("<node:node>/", views.OverviewView.as_view(), name="overview"),
    path("<node:node>/cases/", views.CasesView.as_view(), name="cases"),
    path("<node:node>/overview.xlsx", views.OverviewXlsxView.as_view(), name="overview_xlsx"),
    path("<node:node>/report/", views.ReportView.as_view(), name="report"),
    path("<node:node>/report.xlsx", views.ReportXlsxView.as_view(), name="report_xlsx"),
    path("<node:node>/report.docx", views.ReportDocxView.as_view(), name="report_docx"),
    # Routes of the pages that share DashboardMixin (overview, charts, cases, report) go here.
    path("<node:node>/charts/", chart_views.ChartsView.as_view(), name="charts"),
    path(
        "<node:node>/charts/<slug:slug>.xlsx",
        chart_views.ChartXlsxView.as_view(),
        name="chart_xlsx",
    ),
]
