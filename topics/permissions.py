"""Who may do what with topics and sessions — used by views, services and templates alike."""

from __future__ import annotations

from consult_portal.roles import Role, scope_for


def can_move_topic(user, topic) -> bool:
    """Office staff (in scope) and administrators move topics through their lifecycle."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if scope.role != Role.OFFICE or not scope.area_path:
        return False
    return topic.area.path.startswith(scope.area_path)


def can_log_consultation(user) -> bool:
    scope = scope_for(user)
    return scope.everything or (scope.role == Role.OFFICE and bool(scope.area_path))
