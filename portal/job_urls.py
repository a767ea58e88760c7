from django.urls import path

from . import job_views

app_name = "jobs"

urlpatterns = [
    path("failed/", job_views.FailedJobListView.as_view(), name="failed"),
    path("<uuid:pk>/", job_views.JobDetailView.as_view(), name="detail"),
    path("<uuid:pk>/status/", job_views.JobStatusView.as_view(), name="status"),
    path("<uuid:pk>/file/", job_views.JobFileView.as_view(), name="file"),
    path("<uuid:pk>/retry/", job_views.JobRetryView.as_view(), name="retry"),
]
