"""Printable venue pages (issue 5, item 5): A4 poster, QR code image, member contact cards.
Who sees the venue page may print these: staff and leaders of its area, members assigned to it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

from .models import SIX_STANDARDS, Venue
from .printables import (
    public_path,
    upcoming_duty_days,
    venue_members_for_print,
    venue_qr_png,
    venue_qr_svg,
)

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


class VenuePosterView(VenuePrintMixin, TemplateView):
    template_name = "platforms/venue_poster.html"

    def get_context_data(self, **kwargs):
        venue = self.get_venue()
        url = self.public_url(venue)
        return super().get_context_data(
            venue=venue,
            public_url=url,
            # segno's SVG: generated markup from our own URL, no user HTML in it.
            qr_svg=mark_safe(venue_qr_svg(url)),
            assignments=list(venue_members_for_print(venue=venue)),
            six_standards=SIX_STANDARDS,
            **kwargs,
        )


class VenueCardsView(VenuePrintMixin, TemplateView):
    """One card per member assigned to the venue. The contact route printed is the venue's own
    (its phone and a QR code of its public page), never a member's personal phone."""

    template_name = "platforms/venue_cards.html"

    def get_context_data(self, **kwargs):
        venue = self.get_venue()
        url = self.public_url(venue)
        assignments = list(venue_members_for_print(venue=venue))
        duty_days = upcoming_duty_days(venue=venue, member_ids=[a.member_id for a in assignments])
        cards = [(a, duty_days.get(a.member_id, [])) for a in assignments]
        return super().get_context_data(
            venue=venue,
            public_url=url,
            # segno's SVG: generated markup from our own URL, no user HTML in it.
            qr_svg=mark_safe(venue_qr_svg(url)),
            cards=cards,
            **kwargs,
        )


class VenueQrView(VenuePrintMixin, View):
    """The poster's QR code as a PNG, for signs and leaflets made elsewhere."""

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        venue = self.get_venue()
        response = HttpResponse(venue_qr_png(self.public_url(venue)), content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="venue-{venue.code}-qr.png"'
        return response
