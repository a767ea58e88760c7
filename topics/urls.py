from django.urls import path

from . import views

app_name = "topics"
urlpatterns = [
    path("", views.TopicListView.as_view(), name="list"),
    path("<int:pk>/", views.TopicDetailView.as_view(), name="detail"),
    path("<int:pk>/transition/", views.TopicTransitionView.as_view(), name="transition"),
    path("consultations/", views.ConsultationListView.as_view(), name="consultation_list"),
    path(
        "consultations/<int:pk>/",
        views.ConsultationDetailView.as_view(),
        name="consultation_detail",
    ),
    # Logging a session on one page (issue 4, sessions)
    path(
        "consultations/new/",
        views.ConsultationCreateView.as_view(),
        name="consultation_create",
    ),
    path(
        "consultations/<int:pk>/edit/",
        views.ConsultationEditView.as_view(),
        name="consultation_edit",
    ),
    path(
        "consultations/<int:pk>/history/",
        views.ConsultationHistoryView.as_view(),
        name="consultation_history",
    ),
    path("attachments/<int:pk>/", views.ConsultationAttachmentView.as_view(), name="attachment"),
]

# Lists (issue 4): the department list, in its own module so the views package stays untouched.
from .views.department import DepartmentListView  # noqa: E402

urlpatterns += [
    path("departments/", DepartmentListView.as_view(), name="department_list"),
]
