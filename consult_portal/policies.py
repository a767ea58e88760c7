"""Permission policies: "which objects may this user do X to" and "may they do X to this one",
answered by one object per model from the same rule (in the manner of Wagtail's permission
policies; see docs/DECISIONS.md for why not the ``rules`` package).

A policy lists its actions and the roles that may take each. Administrators (``Scope.everything``)
may take any action anywhere. For an action ``in_area`` (a write), an area-scoped role acts only
on rows whose area its scope covers — ``Scope.area_q`` for the queryset, ``Scope.covers_path`` for
one loaded row: the same prefix rule, written once in ``consult_portal.roles``. An action not
``in_area`` (a read) covers what the model's ``visible_to`` shows.

Views gate on ``policy.roles_for(action)`` (``RoleRequiredMixin.allowed_roles``) and ask
``policy.user_can(user, action, obj)``; services ask the same before they write; templates use
``{% user_can "topic" "change" topic as can_move %}`` (``consult_portal.templatetags.policies``),
which finds the policies each app registers in its ``permissions`` module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from .roles import Role, scope_for

WRITERS = frozenset({Role.ADMIN, Role.OFFICE})  # who changes records: administrators, the office
STAFF = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER})
EVERYONE = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER})


@dataclass(frozen=True)
class Action:
    roles: frozenset[Role]
    in_area: bool = True  # only on rows in the user's area (for area-scoped roles)


WRITE = Action(WRITERS)


class ScopePolicy:
    """One model's policy: ``model``, ``area`` (the lookup path from a row to the ``Area`` whose
    subtree decides; a tuple: the first of them the row has, e.g. an assignment's venue's area,
    else its own) and ``actions``."""

    def __init__(
        self, model: type[Model], *, area: str | tuple[str, ...] | None, actions: dict[str, Action]
    ):
        self.model = model
        self.area_paths = (area,) if isinstance(area, str) else tuple(area or ())
        self.actions = actions

    def action(self, action: str) -> Action:
        try:
            return self.actions[action]
        except KeyError:
            raise ValueError(f"{self.model.__name__} has no action {action!r}") from None

    def roles_for(self, action: str) -> tuple[Role, ...]:
        """The roles that may take ``action`` somewhere (the views' ``allowed_roles``)."""
        roles = self.action(action).roles
        return tuple(role for role in Role if role in roles)

    def user_has_permission(self, user, action: str) -> bool:
        """May the user take ``action`` on some row (a create page, a button on a list)?"""
        scope = scope_for(user)
        if scope.everything:
            return True
        if scope.role not in self.action(action).roles:
            return False
        return bool(scope.area_path) if self.action(action).in_area else not scope.sees_nothing

    def _area_rule(self, action: str) -> bool:
        return self.action(action).in_area and bool(self.area_paths)

    def instances_user_can(self, user, action: str) -> QuerySet:
        """The rows the user may take ``action`` on."""
        rows = self.model.objects.visible_to(user)
        if not self.user_has_permission(user, action):
            return rows.none()
        scope = scope_for(user)
        if scope.everything or not self._area_rule(action):
            return rows
        condition, earlier_missing = Q(pk__in=[]), Q()
        for path in self.area_paths:
            condition |= earlier_missing & Q(**{f"{path}__isnull": False}) & scope.area_q(path)
            earlier_missing &= Q(**{f"{path}__isnull": True})
        return rows.filter(condition)

    def user_can(self, user, action: str, obj: Model | None = None) -> bool:
        """May the user take ``action`` (on ``obj``, a row the user can already see)? The
        Python form of ``instances_user_can``: no query when the row's area is loaded."""
        if obj is None or not self._area_rule(action):
            return self.user_has_permission(user, action)
        return self.user_can_at(user, action, self.area_of(obj))

    def user_can_at(self, user, action: str, area) -> bool:
        """May the user take ``action`` on a row in ``area`` (a row about to be created there)?"""
        if not self.user_has_permission(user, action):
            return False
        return scope_for(user).covers_path(None if area is None else area.path)

    def area_of(self, obj: Model):
        for path in self.area_paths:
            area = obj
            for name in path.split("__"):
                area = getattr(area, name)
                if area is None:
                    break
            if area is not None:
                return area
        return None


_REGISTRY: dict[str, ScopePolicy] = {}


def register(name: str, policy: ScopePolicy) -> ScopePolicy:
    """Make ``policy`` known to templates as ``name`` (each app's ``permissions`` module)."""
    _REGISTRY[name] = policy
    return policy


def policy_named(name: str) -> ScopePolicy:
    if name not in _REGISTRY:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("permissions")
    return _REGISTRY[name]
