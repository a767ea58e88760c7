from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("opinions/", views.ReportListView.as_view(), name="report_list"),
    path("opinions/new/", views.ReportEnterView.as_view(), name="report_enter"),
    path("opinions/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("opinions/me/", views.MyReportsView.as_view(), name="my_reports"),
    path("opinions/me/new/", views.MyReportSubmitView.as_view(), name="my_report_submit"),
    path("outcomes/", views.OutcomeListView.as_view(), name="outcome_list"),
    path("outcomes/new/", views.OutcomeCreateView.as_view(), name="outcome_create"),
    path("outcomes/<int:pk>/", views.OutcomeDetailView.as_view(), name="outcome_detail"),
]
