"""Views of the topics app, one module per page family; urls.py imports them from here."""

from .consultation import ConsultationDetailView, ConsultationListView
from .session_form import (
    ConsultationAttachmentView,
    ConsultationCreateView,
    ConsultationEditView,
    ConsultationHistoryView,
)
from .topic import TopicDetailView, TopicListView, TopicTransitionView

__all__ = [
    "ConsultationAttachmentView",
    "ConsultationCreateView",
    "ConsultationDetailView",
    "ConsultationEditView",
    "ConsultationHistoryView",
    "ConsultationListView",
    "TopicDetailView",
    "TopicListView",
    "TopicTransitionView",
]
