"""The four roles of the portal and how a user's role and area scope are worked out.

Roles are Django groups (created by a data migration in ``platforms``). A ``Profile`` ties a staff
or leadership account to an ``Area``; a member account is tied to a ``Member`` through
``Member.user``. Everything that decides "which rows may this user see" starts from ``scope_for``.
The groups are read here; the area of a staff account and the member record of a member account
come from the providers ``platforms`` and ``members`` register (this module imports neither).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

GROUP_OFFICE = "政协办公室"
GROUP_LEADER = "领导"
GROUP_MEMBER = "委员"
GROUP_ADMIN = "管理员"
# Accounts of a 承办单位 (a unit topics are referred to): they see only their unit's referrals.
GROUP_UNIT = "承办单位"
ALL_GROUPS = (GROUP_OFFICE, GROUP_LEADER, GROUP_MEMBER, GROUP_ADMIN, GROUP_UNIT)


class Role(StrEnum):
    ADMIN = "admin"
    OFFICE = "office"
    LEADER = "leader"
    MEMBER = "member"
    UNIT = "unit"
    NONE = "none"


ROLE_LABELS = {
    Role.ADMIN: "管理员",
    Role.OFFICE: "政协办公室",
    Role.LEADER: "领导",
    Role.MEMBER: "委员",
    Role.UNIT: "承办单位",
    Role.NONE: "未分配角色",
}


@dataclass(frozen=True)
class Scope:
    """What one user may see.

    ``everything`` — superusers and administrators; ``area_path`` — the materialized path of the
    user's area (office staff and leadership see that area and everything below it);
    ``member_id`` / ``venue_ids`` — a member sees their own record and the venues they are
    currently assigned to; ``unit_id`` — a unit's account sees the topics referred to its unit.
    A user with none of these sees nothing.
    """

    role: Role
    everything: bool = False
    area_id: int | None = None
    area_path: str | None = None
    # The name of that area, for labels such as export file names (loaded with the path).
    area_name: str | None = None
    member_id: int | None = None
    venue_ids: frozenset[int] = field(default_factory=frozenset)
    # A unit's account (承办单位): the unit (``topics.Department``) whose referrals it sees.
    unit_id: int | None = None
    # How the header names the person (the profile's display name, a member's own name), read
    # with the scope so the page needs no query of its own for it.
    display_name: str = ""

    @property
    def is_area_scoped(self) -> bool:
        return self.area_path is not None

    @property
    def sees_nothing(self) -> bool:
        return not (self.everything or self.area_path or self.member_id or self.unit_id)

    # The area-prefix rule, once: an area-scoped user covers their area and every area below it
    # (materialized paths share the ancestor's prefix). ``area_q`` is the rule for querysets,
    # ``covers_path`` the same rule for one loaded row.
    def area_q(self, area: str = "area") -> Q:
        """Rows whose area (the lookup path ``area``; "" for Area rows) this scope covers."""
        if self.everything:
            return Q()
        if self.area_path:
            lookup = f"{area}__path__startswith" if area else "path__startswith"
            return Q(**{lookup: self.area_path})
        return Q(pk__in=[])

    def covers_path(self, path: str | None) -> bool:
        """``area_q`` for one area's materialized path (None: no area, covered by nobody but
        those who see everything)."""
        if self.everything:
            return True
        return bool(self.area_path) and path is not None and path.startswith(self.area_path)


_NOTHING = Scope(role=Role.NONE)


def scope_for(user: AbstractBaseUser | AnonymousUser) -> Scope:
    """Return (and cache on the user object) the scope that every ``visible_to`` applies."""
    if not getattr(user, "is_authenticated", False):
        return _NOTHING
    cached = getattr(user, "_consult_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._consult_scope = scope
    return scope


ScopeProvider = Callable[["AbstractBaseUser", Role], Scope]
_PROVIDERS: dict[Role, ScopeProvider] = {}


def register_scope_provider(*roles: Role, provider: ScopeProvider) -> None:
    """Let the app that holds the records behind ``roles`` work out their scope.

    The base knows the groups but not the tables that tie an account to an area (``platforms``'
    ``Profile``) or to a member (``members``' ``Member``); those apps register a provider from
    their ``AppConfig.ready()``, so the base never imports them.
    """
    for role in roles:
        _PROVIDERS[role] = provider


def _provided(role: Role, user) -> Scope:
    provider = _PROVIDERS.get(role)
    if provider is None:
        raise ImproperlyConfigured(f"No scope provider registered for the role {role!r}.")
    return provider(user, role)


def _compute_scope(user) -> Scope:
    group_names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser or GROUP_ADMIN in group_names:
        return Scope(role=Role.ADMIN, everything=True)

    if group_names & {GROUP_OFFICE, GROUP_LEADER}:
        return _provided(Role.OFFICE if GROUP_OFFICE in group_names else Role.LEADER, user)

    if GROUP_MEMBER in group_names:
        return _provided(Role.MEMBER, user)

    if GROUP_UNIT in group_names:
        return _provided(Role.UNIT, user)

    return _NOTHING


def role_of(user) -> Role:
    return scope_for(user).role
