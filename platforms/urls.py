from django.urls import path

from . import views

app_name = "platforms"
urlpatterns = [
    path("venues/", views.VenueListView.as_view(), name="venue_list"),
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

# Printables (issue 5, item 5): the QR code. The venue page, its A4 poster and member contact
# cards list members and topics too: ``portal.urls`` adds them to this namespace.
from . import printable_views  # noqa: E402

urlpatterns += [
    path("venues/<int:pk>/qr.png", printable_views.VenueQrView.as_view(), name="venue_qr"),
]
