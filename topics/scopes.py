"""The scope of a unit's account (承办单位): the unit of its ``UnitAccount`` (registered with
``consult_portal.roles`` in ``TopicsConfig.ready``)."""

from __future__ import annotations

from consult_portal.roles import Role, Scope

from .models import UnitAccount


def unit_scope(user, role: Role) -> Scope:
    account = UnitAccount.objects.select_related("department").filter(user=user).first()
    if account is None:
        return Scope(role=role)
    return Scope(
        role=role,
        unit_id=account.department_id,
        display_name=account.display_name or account.department.name,
    )
