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
    # The moves of practice (issue 14)
    path("<int:pk>/accept/", topic_actions.TopicAcceptView.as_view(), name="accept"),
    path("<int:pk>/decline/", topic_actions.TopicDeclineView.as_view(), name="decline"),
    path("<int:pk>/consult/", topic_actions.TopicConsultView.as_view(), name="consult"),
    path("<int:pk>/elevate/", topic_actions.TopicElevateView.as_view(), name="elevate"),
    path("<int:pk>/reopen/", topic_actions.TopicReopenView.as_view(), name="reopen"),
    path("<int:pk>/follow-up/", topic_actions.TopicFollowUpView.as_view(), name="follow_up"),
    path("<int:pk>/edit/", topic_actions.TopicEditView.as_view(), name="edit"),
]

# Lists (issue 4): the department list, in its own module so the views package stays untouched.
from .views.department import DepartmentListView  # noqa: E402

urlpatterns += [
    path("departments/", DepartmentListView.as_view(), name="department_list"),
]

# 承办单位 (issue 14): a unit's referrals and one referral's page with the unit's steps.
from .views import unit  # noqa: E402

urlpatterns += [
    path("unit/", unit.UnitHomeView.as_view(), name="unit_home"),
    path("unit/referrals/<int:pk>/", unit.UnitReferralView.as_view(), name="unit_referral"),
    path("unit/referrals/<int:pk>/sign/", unit.UnitSignView.as_view(), name="unit_sign"),
    path("unit/referrals/<int:pk>/return/", unit.UnitReturnView.as_view(), name="unit_return"),
    path(
        "unit/referrals/<int:pk>/extension/",
        unit.UnitExtensionView.as_view(),
        name="unit_extension",
    ),
    path("unit/referrals/<int:pk>/reply/", unit.UnitReplyView.as_view(), name="unit_reply"),
    path("unit/attachments/<int:pk>/", unit.ReplyAttachmentView.as_view(), name="reply_attachment"),
]

# The office's side of the referral sub-flow, on the topic page.
urlpatterns += [
    path(
        "<int:pk>/review/continue/",
        topic_actions.TopicReviewContinueView.as_view(),
        name="review_continue",
    ),
    path("<int:pk>/review/redo/", topic_actions.TopicReviewRedoView.as_view(), name="review_redo"),
    path(
        "<int:pk>/extensions/<int:extension_pk>/decide/",
        topic_actions.ExtensionDecideView.as_view(),
        name="extension_decide",
    ),
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
