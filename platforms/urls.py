from django.urls import path

from . import views

app_name = "platforms"
urlpatterns = [
    path("venues/", views.VenueListView.as_view(), name="venue_list"),
    path("venues/<int:pk>/", views.VenueDetailView.as_view(), name="venue_detail"),
]

# Venue page writes (issue 4, item 2).
urlpatterns += [
    path("venues/new/", views.VenueCreateView.as_view(), name="venue_create"),
    path("venues/<int:pk>/edit/", views.VenueEditView.as_view(), name="venue_edit"),
    path("venues/<int:pk>/standard/", views.VenueStandardView.as_view(), name="venue_standard"),
    path(
        "venues/<int:pk>/deactivate/",
        views.VenueActiveView.as_view(active=False),
        name="venue_deactivate",
    ),
    path(
        "venues/<int:pk>/reactivate/",
        views.VenueActiveView.as_view(active=True),
        name="venue_reactivate",
    ),
]
