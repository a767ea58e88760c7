from django.urls import path  # noqa: F401  (routes are added by the dashboard, charts, cases and report)

app_name = "dashboards"

urlpatterns: list = []
