"""Public pages (no login): a venue's QR-code page and the tracking page of a raised issue."""

from django.urls import path

from topics.views.public import PublicTrackingView, PublicVenueView

app_name = "public"

urlpatterns = [
    path("v/<str:code>/", PublicVenueView.as_view(), name="venue"),
    path("t/<str:code>/", PublicTrackingView.as_view(), name="track"),
]
