"""The venue page and the venue's printable poster and member cards: pages about a venue that
also list its members, shifts, sessions and topics (reads in ``portal.venues``). Their URLs keep
the ``platforms`` namespace (``portal.urls`` adds them to it)."""

from __future__ import annotations

from django.utils.safestring import mark_safe
from django.views.generic import DetailView, TemplateView

from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from platforms.models import SIX_STANDARDS, Venue
from platforms.printable_views import VenuePrintMixin
from platforms.printables import venue_qr_svg

from .venues import upcoming_duty_days, venue_members_for_print, venue_page


class VenueDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)
    template_name = "platforms/venue_detail.html"
    context_object_name = "venue"

    def get_queryset(self):
        return Venue.objects.visible_to(self.request.user).select_related("area", "brand")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(venue_page(user=self.request.user, venue=self.object))
        return context


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
