"""What the builder keeps in memory about the places it made, for the later steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from members.models import Assignment, AssignmentRole, Member
from platforms.models import Area, PlatformBrand, Venue
from topics.models import Department

from .places import DistrictData
from .texts import TOWNSHIP_OFFICE

BATCH_SIZE = 500  # rows per INSERT in bulk_create


def short_name(district: str) -> str:
    """长阳土家族自治县 → 长阳县; other names are already short."""
    return district.replace("土家族自治县", "县")


@dataclass
class District:
    area: Area
    data: DistrictData
    townships: list[Township] = field(default_factory=list)
    office_user: object | None = None  # the district's office-staff account
    departments: dict[str, Department] = field(default_factory=dict)  # by short name: 住建局
    brand: PlatformBrand | None = None

    @property
    def short(self) -> str:
        return short_name(self.area.name)


@dataclass
class Township:
    """A subdistrict (街道/镇/乡) with what the builder hangs on it."""

    area: Area
    district: District
    communities: list[Area]
    latitude: float
    longitude: float
    office: Department | None = None

    @property
    def rural(self) -> bool:
        return not self.area.name.endswith("街道")

    def department(self, name: str) -> Department:
        """A department by short name (住建局), or this township's own office."""
        return self.office if name == TOWNSHIP_OFFICE else self.district.departments[name]


@dataclass
class VenueInfo:
    """A venue, where it is, its team, and the dates between which it met and took topics."""

    venue: Venue
    township: Township
    open_from: dt.date
    open_to: dt.date
    roster: list[Assignment] = field(default_factory=list)

    def members_on(self, day: dt.date) -> list[Member]:
        return [a.member for a in self.roster if _covers(a, day)]

    def convener_on(self, day: dt.date) -> Member | None:
        return next(
            (
                a.member
                for a in self.roster
                if a.role == AssignmentRole.CONVENER and _covers(a, day)
            ),
            None,
        )


def _covers(assignment: Assignment, day: dt.date) -> bool:
    return assignment.started_on <= day and (
        assignment.ended_on is None or assignment.ended_on >= day
    )
