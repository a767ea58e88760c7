"""Printable venue pages (issue 5, item 5): the QR code image, and the mixin the A4 poster and the
member contact cards (``portal.venue_views``, they list members) share with it. Who sees the
venue page may print these: staff and leaders of its area, members assigned to it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .models import Venue
from .printables import public_path, venue_qr_png

PRINT_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)


class VenuePrintMixin(RoleRequiredMixin):
    allowed_roles = PRINT_ROLES

    def get_venue(self) -> Venue:
        return get_object_or_404(
            Venue.objects.visible_to(self.request.user).select_related("area", "brand"),
            pk=self.kwargs["pk"],
        )

    def public_url(self, venue: Venue) -> str:
        return self.request.build_absolute_uri(public_path(venue))


class VenueQrView(VenuePrintMixin, View):
    """The poster's QR code as a PNG, for signs and leaflets made elsewhere."""

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        venue = self.get_venue()
        response = HttpResponse(venue_qr_png(self.public_url(venue)), content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="venue-{venue.code}-qr.png"'
        return response
