"""The scope of a member account: their own record and the venues they are currently
assigned to (registered with ``consult_portal.roles`` in ``MembersConfig.ready``)."""

from __future__ import annotations

from consult_portal.roles import Role, Scope

from .models import Assignment, Member


def member_scope(user, role: Role) -> Scope:
    found = Member.objects.filter(user=user).values_list("pk", "name").first()
    if found is None:
        return Scope(role=role)
    member_id, name = found
    venue_ids = frozenset(
        Assignment.objects.current()
        .filter(member_id=member_id, venue__isnull=False)
        .values_list("venue_id", flat=True)
    )
    return Scope(role=role, member_id=member_id, venue_ids=venue_ids, display_name=name)
