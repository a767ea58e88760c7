"""Views of the topics app, one module per page family; urls.py imports them from here."""

from .consultation import ConsultationDetailView, ConsultationListView
from .topic import TopicDetailView, TopicListView, TopicTransitionView

__all__ = [
    "ConsultationDetailView",
    "ConsultationListView",
    "TopicDetailView",
    "TopicListView",
    "TopicTransitionView",
]
