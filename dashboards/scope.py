"""Which part of the area tree a dashboard shows, and who may look at it.

A dashboard shows one node: an area (province → city → district → subdistrict → community) or a
single venue. A user may open their own area and anything below it, never above or beside it
(that answers 404, as for any other object outside the user's area). Administrators see the whole
tree and start at its first root.

Every figure, chart, export and report filters its rows with ``DashboardScope.q()``, so "what is
inside this node" is defined once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from consult_portal.roles import scope_for
from platforms.models import Area, Venue


@dataclass(frozen=True)
class DashboardScope:
    area: Area | None = None
    venue: Venue | None = None
    top: Area | None = None  # the highest area this user may see (the breadcrumb starts here)

    # -- identity ---------------------------------------------------------------------------
    @property
    def is_venue(self) -> bool:
        return self.venue is not None

    @property
    def name(self) -> str:
        return self.venue.name if self.venue else self.area.name

    @property
    def key(self) -> str:
        """A short stable id, e.g. for cache keys and file names: ``a12`` or ``v34``."""
        return f"v{self.venue.pk}" if self.venue else f"a{self.area.pk}"

    # -- filtering --------------------------------------------------------------------------
    def q(self, *, area: str | None = "area", venue: str | None = "venue") -> Q:
        """Rows inside this node.

        ``area`` is the lookup from the row to its ``Area`` (``"area"`` on a topic,
        ``"venue__area"`` on a session); ``venue`` the lookup to its ``Venue``. An area node
        matches by materialized path (this area and everything below it); a venue node matches
        the venue itself.
        """
        if self.venue is not None:
            if venue is None:
                raise ValueError("this figure has no venue lookup")
            return Q(**{venue: self.venue.pk})
        if area is None:
            raise ValueError("this figure has no area lookup")
        return Q(**{f"{area}__path__startswith": self.area.path})

    # -- the tree around it -----------------------------------------------------------------
    def breadcrumb(self) -> list[Area]:
        """Areas from the user's top area down to this node's area (inclusive)."""
        area = self.venue.area if self.venue else self.area
        top_depth = self.top.depth if self.top else 1
        step = Area.steplen
        # The area itself is read again so that every level costs one query, the top included.
        paths = [area.path[: step * d] for d in range(top_depth, area.depth + 1)]
        return list(Area.objects.filter(path__in=paths).order_by("depth"))

    def parent_area(self) -> Area | None:
        """Where "up" goes: the venue's area, or the parent area, never above the user's top."""
        if self.venue is not None:
            return self.venue.area
        if self.top is not None and self.area.pk == self.top.pk:
            return None
        return Area.objects.filter(path=self.area.path[: -Area.steplen]).first()

    def child_areas(self):
        """The areas one level below (empty for a venue or a community)."""
        if self.venue is not None:
            return Area.objects.none()
        return Area.objects.filter(path__startswith=self.area.path, depth=self.area.depth + 1)

    def venues_here(self):
        """Venues attached to this very area (not below it): a community's venues, or a
        district's own 委员之家."""
        if self.venue is not None:
            return Venue.objects.none()
        return Venue.objects.filter(area=self.area)


def _top_area_for(user) -> Area:
    scope = scope_for(user)
    if scope.everything:
        top = Area.objects.get_root_nodes().first()
        if top is None:
            raise Http404("尚未建立行政区划。")
        return top
    if scope.area_id is None:
        raise Http404("您的账号没有关联区划。")
    return Area.objects.get(pk=scope.area_id)


def resolve_scope(
    user, *, area_id: int | None = None, venue_id: int | None = None
) -> DashboardScope:
    """The node the user asked for, or 404 when it is above or beside their own area."""
    top = _top_area_for(user)
    if venue_id is not None:
        venue = (
            Venue.objects.select_related("area", "brand")
            .filter(pk=venue_id, area__path__startswith=top.path)
            .first()
        )
        if venue is None:
            raise Http404("没有找到该阵地。")
        return DashboardScope(venue=venue, top=top)
    if area_id is None:
        return DashboardScope(area=top, top=top)
    area = Area.objects.filter(pk=area_id, path__startswith=top.path).first()
    if area is None:
        raise Http404("没有找到该区划。")
    return DashboardScope(area=area, top=top)
