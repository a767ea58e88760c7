"""Who may change venues — one policy (``consult_portal.policies``), used by views, services and
templates alike."""

from __future__ import annotations

from consult_portal.policies import STAFF, WRITE, Action, ScopePolicy, register

from .models import Venue

# Administrators anywhere; office staff in their own area and below. Staff (not members) follow
# a venue's member names through to the members' files.
venue_policy = register(
    "venue",
    ScopePolicy(
        Venue,
        area="area",
        actions={"change": WRITE, "link_members": Action(STAFF, in_area=False)},
    ),
)


def can_manage_area(user, area) -> bool:
    """May the user create or move a record into ``area``?"""
    return venue_policy.user_can_at(user, "change", area)


def can_edit_venue(user, venue) -> bool:
    return venue_policy.user_can(user, "change", venue)
