from django.urls import path

from . import views
from .views import topic_actions

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
    # Topic page actions and entering a topic (issue 4, topic page)
    path("new/", topic_actions.TopicCreateView.as_view(), name="create"),
    path("<int:pk>/refer/", topic_actions.TopicReferView.as_view(), name="refer"),
    path("<int:pk>/assist/", topic_actions.TopicAddAssistingView.as_view(), name="assist"),
    path(
        "<int:pk>/referrals/<int:referral_pk>/reply/",
        topic_actions.TopicReplyView.as_view(),
        name="reply",
    ),
    path("<int:pk>/resolve/", topic_actions.TopicResolveView.as_view(), name="resolve"),
    path("<int:pk>/rate/", topic_actions.TopicRateView.as_view(), name="rate"),
    path("<int:pk>/merge/", topic_actions.TopicMergeView.as_view(), name="merge"),
    path("<int:pk>/comment/", topic_actions.TopicCommentView.as_view(), name="comment"),
]

# Lists (issue 4): the department list, in its own module so the views package stays untouched.
from .views.department import DepartmentListView  # noqa: E402

urlpatterns += [
    path("departments/", DepartmentListView.as_view(), name="department_list"),
]

# Similar topics (issue 16), in their own module.
from .views import similar  # noqa: E402

urlpatterns += [
    path("similar/", similar.SimilarTopicsView.as_view(), name="similar"),
    path("similar/clusters/", similar.SimilarClustersView.as_view(), name="similar_clusters"),
    path("<int:pk>/not-same/<int:other>/", similar.TopicNotSameView.as_view(), name="not_same"),
]

# Residents' photos (issue 16).
from .views import photos  # noqa: E402

urlpatterns += [
    path("<int:pk>/photos/<int:photo>/", photos.TopicPhotoView.as_view(), name="photo"),
    path(
        "<int:pk>/photos/<int:photo>/approve/",
        photos.TopicPhotoApproveView.as_view(),
        name="photo_approve",
    ),
]
