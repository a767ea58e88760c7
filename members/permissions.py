"""Who may change members, assignments, duties and rotas — one policy per model
(``consult_portal.policies``), used by views, services and templates alike.

Staff edit the members of committees in their area (a district's office edits the district's
members). A city member sent down to a district venue is visible to the district's staff, who may
assign them to and end them from the district's venues, but only the city's office edits the
member's own file, records and reviews their duties.
"""

from __future__ import annotations

from consult_portal.policies import WRITE, Action, ScopePolicy, register
from consult_portal.roles import Role, scope_for
from platforms.models import Venue

from .models import Assignment, Duty, Member, MemberLeave

member_policy = register(
    "member",
    ScopePolicy(
        Member,
        area="area",
        # change: the member's file; assign: send members to venues and record their leave
        # (the assignment's own area decides, see ``assignment_policy``); point_rules: the
        # year's point rules and bands (a top-level office only, see ``can_edit_point_rules``).
        actions={"change": WRITE, "assign": WRITE, "point_rules": WRITE},
    ),
)
# An assignment belongs to its venue's area, or to its own area when it names no venue.
assignment_policy = register(
    "assignment",
    ScopePolicy(Assignment, area=("venue__area", "area"), actions={"change": WRITE}),
)
# The office of the member's own committee records and reviews duties; a member reports their own.
duty_policy = register(
    "duty",
    ScopePolicy(
        Duty,
        area="member__area",
        actions={
            "change": WRITE,
            "review": WRITE,
            "report": Action(frozenset({Role.MEMBER}), in_area=False),
        },
    ),
)
# A leave belongs to the office that recorded it (or, when that is not known, to the member's
# committee): only that office or one above it removes it.
leave_policy = register(
    "leave", ScopePolicy(MemberLeave, area=("area", "member__area"), actions={"change": WRITE})
)
# Office staff plan the rota of the venues in their area.
rota_policy = register("rota", ScopePolicy(Venue, area="area", actions={"plan": WRITE}))


def can_edit_member(user, member) -> bool:
    return member_policy.user_can(user, "change", member)


def can_assign(user) -> bool:
    return member_policy.user_can(user, "assign")


def can_manage_assignment(user, assignment) -> bool:
    return assignment_policy.user_can(user, "change", assignment)


def can_edit_point_rules(user) -> bool:
    """Administrators, and the office of a top-level area (the rules are the whole city's)."""
    if not member_policy.user_can(user, "point_rules"):
        return False
    scope = scope_for(user)
    if scope.everything:
        return True
    from platforms.models import Area

    return Area.objects.filter(pk=scope.area_id, depth=1).exists()
