from django.urls import path

from . import calendar_views as views

app_name = "calendar"
urlpatterns = [
    path("cal/<str:token>.ics", views.CalendarFeedView.as_view(), name="ics"),
    path("calendar/", views.CalendarFeedsView.as_view(), name="feeds"),
    path("calendar/regenerate/", views.CalendarFeedRegenerateView.as_view(), name="regenerate"),
    path("calendar/revoke/", views.CalendarFeedRevokeView.as_view(), name="revoke"),
]
