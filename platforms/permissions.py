"""Who may change venues — used by views, services and templates alike."""

from __future__ import annotations

from consult_portal.roles import Role, scope_for


def can_manage_area(user, area) -> bool:
    """Administrators anywhere; office staff in their own area and below."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if scope.role != Role.OFFICE or not scope.area_path or area is None:
        return False
    return area.path.startswith(scope.area_path)


def can_edit_venue(user, venue) -> bool:
    return can_manage_area(user, venue.area)
