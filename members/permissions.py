"""Who may change members and assignments — used by views, services and templates alike.

Staff edit the members of committees in their area (a district's office edits the district's
members). A city member sent down to a district venue is visible to the district's staff, who may
assign them to and end them from the district's venues, but only the city's office edits the
member's own file.
"""

from __future__ import annotations

from consult_portal.roles import Role, scope_for
from platforms.permissions import can_manage_area


def can_edit_member(user, member) -> bool:
    return can_manage_area(user, member.area)


def can_assign(user) -> bool:
    scope = scope_for(user)
    return scope.everything or (scope.role == Role.OFFICE and bool(scope.area_path))


def can_manage_assignment(user, assignment) -> bool:
    area = assignment.venue.area if assignment.venue_id else assignment.area
    return can_manage_area(user, area)
