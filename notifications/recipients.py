"""Who receives which mail. Rows without an e-mail address are returned as skipped, not dropped
silently, so the command can say who it could not reach."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from consult_portal.people import person_name
from consult_portal.roles import GROUP_OFFICE
from members.models import Assignment
from platforms.models import Area


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str


@dataclass
class Recipients:
    found: list[Recipient]
    # Human-readable names of the people who should have been told but have no address.
    skipped: list[str]


def _ancestor_paths(path: str) -> list[str]:
    """The materialized paths of an area and every area above it."""
    step = Area.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def _office_staff(**filters):
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=GROUP_OFFICE, **filters)
        .select_related("profile__area")
        .distinct()
        .order_by("pk")
    )


def _split(users, exclude_user_id: int | None = None) -> Recipients:
    found, skipped = [], []
    for user in users:
        if user.pk == exclude_user_id:
            continue
        name = person_name(user)
        if user.email:
            found.append(Recipient(user.pk, user.email, name))
        else:
            skipped.append(f"{name}(工作人员,无邮箱)")
    return Recipients(found, skipped)


def area_staff(area: Area, *, exclude_user_id: int | None = None) -> Recipients:
    """Active office staff (group 政协办公室) whose profile area is ``area`` or an area above it,
    i.e. whose scope contains it."""
    users = _office_staff(profile__area__path__in=_ancestor_paths(area.path))
    return _split(users, exclude_user_id)


class StaffDirectory:
    """``area_staff`` for many areas with one query (the daily batch): all office staff with an
    area are loaded once and matched by path prefix in Python."""

    def __init__(self):
        self._users = list(_office_staff(profile__area__isnull=False))
        self._cache: dict[str, Recipients] = {}

    def for_area(self, area: Area) -> Recipients:
        if area.path not in self._cache:
            paths = set(_ancestor_paths(area.path))
            users = [u for u in self._users if u.profile.area.path in paths]
            self._cache[area.path] = _split(users)
        return self._cache[area.path]


def venue_members(
    venue_id: int, *, on: datetime.date | None = None, exclude_user_id: int | None = None
) -> Recipients:
    """Active members currently assigned to the venue, one entry per member, through the e-mail
    of their login account (members have no address of their own)."""
    rows = (
        Assignment.objects.current(on)
        .filter(venue_id=venue_id, member__is_active=True)
        .select_related("member__user")
        .order_by("member_id")
    )
    found, skipped, seen = [], [], set()
    for row in rows:
        member = row.member
        if member.pk in seen:
            continue
        seen.add(member.pk)
        user = member.user
        if user is not None and user.pk == exclude_user_id:
            continue
        if user is not None and user.is_active and user.email:
            found.append(Recipient(user.pk, user.email, member.name))
        else:
            skipped.append(f"{member.name}(委员,无登录账号或邮箱)")
    return Recipients(found, skipped)
