"""The scope of office staff and leadership accounts: the area of their ``Profile``
(registered with ``consult_portal.roles`` in ``PlatformsConfig.ready``)."""

from __future__ import annotations

from consult_portal.roles import Role, Scope

from .models import Profile


def area_scope(user, role: Role) -> Scope:
    profile = Profile.objects.select_related("area").filter(user=user).first()
    if profile is None or profile.area is None:
        return Scope(role=role, display_name=profile.display_name if profile else "")
    return Scope(
        role=role,
        area_id=profile.area_id,
        area_path=profile.area.path,
        area_name=profile.area.name,
        display_name=profile.display_name,
    )
