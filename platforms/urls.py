from django.urls import path

from . import views

app_name = "platforms"
urlpatterns = [
    path("venues/", views.VenueListView.as_view(), name="venue_list"),
    path("venues/<int:pk>/", views.VenueDetailView.as_view(), name="venue_detail"),
]
