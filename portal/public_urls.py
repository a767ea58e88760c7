"""Public pages (no login): a venue's QR-code page and the tracking page of a raised issue."""

from django.urls import path

from topics.views.photos import PublicTopicPhotoView
from topics.views.public import (
    PublicRaiseDoneView,
    PublicTrackingLookupView,
    PublicTrackingView,
    PublicVenueView,
)

app_name = "public"

urlpatterns = [
    path("v/<str:code>/", PublicVenueView.as_view(), name="venue"),
    path("v/<str:code>/done/", PublicRaiseDoneView.as_view(), name="raise_done"),
    path("t/", PublicTrackingLookupView.as_view(), name="track_lookup"),
    path("t/<str:code>/", PublicTrackingView.as_view(), name="track"),
    # Only photos staff approved (issue 16).
    path("t/<str:code>/photos/<int:photo>/", PublicTopicPhotoView.as_view(), name="photo"),
]
