"""Member points (履职积分), always recomputed from the records — never a stored total.

How records map to point kinds (only records of the given calendar year, Asia/Shanghai):

- ATTENDANCE: each session attended (``Attendance`` 出席, by the session's date) plus each
  consultation duty recorded by hand (``Duty`` kind 协商, 已完成) for sessions outside the portal.
- DUTY_DAY: each rota shift marked 已值班 (``DutyShift`` DONE) plus each 驻站值日 duty recorded
  by hand (for days outside the rota; staff should not record a rota shift twice).
- PROPOSAL / OPINION / RESEARCH / DEED / OTHER: each ``Duty`` of that kind with status 已完成.
- PROPOSAL_FILED: bonus for each completed proposal whose outcome is 立案 or 已办复 (answered
  implies it was filed).
- OPINION_DISTRICT / _CITY / _PROVINCE / _NATIONAL: for a report kept in the portal
  (``proposals``), each level's adoption record, to the lead author, in the year adopted (the
  rule is in ``proposals.points``); for a report recorded only as a duty by hand, the level in its
  ``outcome`` (one level per such duty).

Each kind earns ``count × points``, then is cut to the kind's yearly ``cap`` (if any). Planned
and cancelled duties, missed or swapped shifts and absences earn nothing.

Default rules (common practice in district CPPCC assessment schemes; offices edit them per year):
attendance 2 (cap 20), duty day 2 (cap 20), proposal 10 (cap 30), proposal filed +5 (cap 15),
opinion report 5 (cap 30), adoption bonus 区级 +2 / 市级 +5 / 省级 +10 / 全国 +20 (no cap: adoption
at a higher level is rare and should always show), research 5 (cap 20), practical deed 5 (cap 20),
other 2 (cap 10). A member who does each of the 五个一 once and attends a few sessions lands
in 称职; 优秀 (≥ 90) needs sustained work across kinds.

Bands (优秀 / 良好 / ...) are rows per year too (``PointBand``); a year without rows uses
``settings.MEMBER_POINT_BANDS``.

``member_points`` runs six queries whatever the number of members: the rules, the bands, duties
grouped by member/kind/outcome, one per registered source (attendances grouped by member,
``topics``; 社情民意 adoptions by level, ``proposals``), shifts grouped by member (plus one
to list the members when given a queryset rather than a list; minus one when the caller passes
the year's bands it already loaded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, QuerySet

from . import rules as five_ones
from .models import (
    Duty,
    DutyKind,
    DutyOutcome,
    DutyShift,
    DutyStatus,
    PointBand,
    PointKind,
    PointRule,
    ShiftStatus,
)

# kind: (points, cap)
DEFAULT_POINT_RULES: dict[str, tuple[int, int | None]] = {
    PointKind.ATTENDANCE: (2, 20),
    PointKind.DUTY_DAY: (2, 20),
    PointKind.PROPOSAL: (10, 30),
    PointKind.PROPOSAL_FILED: (5, 15),
    PointKind.OPINION: (5, 30),
    PointKind.OPINION_DISTRICT: (2, None),
    PointKind.OPINION_CITY: (5, None),
    PointKind.OPINION_PROVINCE: (10, None),
    PointKind.OPINION_NATIONAL: (20, None),
    PointKind.RESEARCH: (5, 20),
    PointKind.DEED: (5, 20),
    PointKind.OTHER: (2, 10),
}

# A completed duty of this kind counts once for this point kind.
DUTY_KIND_POINTS = {
    DutyKind.PROPOSAL: PointKind.PROPOSAL,
    DutyKind.OPINION: PointKind.OPINION,
    DutyKind.RESEARCH: PointKind.RESEARCH,
    DutyKind.CONSULTATION: PointKind.ATTENDANCE,
    DutyKind.DUTY_DAY: PointKind.DUTY_DAY,
    DutyKind.DEED: PointKind.DEED,
    DutyKind.OTHER: PointKind.OTHER,
}
# ...and, with this outcome, once more for a bonus kind.
OUTCOME_BONUS = {
    (DutyKind.PROPOSAL, DutyOutcome.FILED): PointKind.PROPOSAL_FILED,
    (DutyKind.PROPOSAL, DutyOutcome.ANSWERED): PointKind.PROPOSAL_FILED,
    (DutyKind.OPINION, DutyOutcome.ADOPTED_DISTRICT): PointKind.OPINION_DISTRICT,
    (DutyKind.OPINION, DutyOutcome.ADOPTED_CITY): PointKind.OPINION_CITY,
    (DutyKind.OPINION, DutyOutcome.ADOPTED_PROVINCE): PointKind.OPINION_PROVINCE,
    (DutyKind.OPINION, DutyOutcome.ADOPTED_NATIONAL): PointKind.OPINION_NATIONAL,
}


@dataclass(frozen=True)
class Rule:
    kind: str
    points: int
    cap: int | None

    @property
    def label(self) -> str:
        return PointKind(self.kind).label


@dataclass
class KindPoints:
    kind: str
    label: str
    count: int
    points: int  # after the cap
    capped: bool


@dataclass(frozen=True)
class Band:
    lowest: int  # inclusive
    label: str


@dataclass
class MemberPoints:
    member_id: int
    total: int = 0
    band: str = ""
    band_index: int = 0  # position of the band in the year's bands, 0 = the highest
    kinds: list[KindPoints] = field(default_factory=list)

    def by_kind(self) -> dict[str, KindPoints]:
        return {k.kind: k for k in self.kinds}


def rules_for_year(year: int) -> list[Rule]:
    """The year's rules in PointKind order: saved rows, defaults for kinds without a row."""
    saved = {r.kind: r for r in PointRule.objects.filter(year=year)}
    rules = []
    for kind in PointKind:
        if kind in saved:
            rules.append(Rule(kind, saved[kind].points, saved[kind].cap))
        else:
            points, cap = DEFAULT_POINT_RULES[kind]
            rules.append(Rule(kind, points, cap))
    return rules


def default_bands() -> list[Band]:
    """``settings.MEMBER_POINT_BANDS`` (read when called, so tests may override it), highest
    first."""
    bands = [Band(lowest, label) for lowest, label in settings.MEMBER_POINT_BANDS]
    return sorted(bands, key=lambda band: -band.lowest)


def bands_for_year(year: int) -> list[Band]:
    """The year's bands, highest first: the saved set (one query), or the defaults when the year
    has none. Load them once and pass them on; never per member."""
    saved = PointBand.objects.filter(year=year).order_by("-lowest").values_list("lowest", "label")
    return [Band(lowest, label) for lowest, label in saved] or default_bands()


def band_index(total: int, bands: list[Band]) -> int:
    """Position of the highest band ``total`` reaches; the lowest band when it reaches none
    (a set saved through the admin without a band from 0)."""
    for index, band in enumerate(bands):
        if total >= band.lowest:
            return index
    return len(bands) - 1


def band_for(total: int, bands: list[Band] | None = None) -> str:
    """The band label for ``total`` (the settings' bands when ``bands`` is not given)."""
    bands = bands if bands is not None else default_bands()
    return bands[band_index(total, bands)].label


# Records kept by apps above this one that earn points: session attendance (``topics``), the
# adoptions of public-opinion reports (``proposals``). Each
# source returns ``(member id, point kind, count)`` rows for the members and the calendar year;
# the app holding the records registers it from its ``AppConfig.ready()``, so this module does
# not import it.
PointSource = Callable[[list[int], int], Iterable[tuple[int, str, int]]]
_POINT_SOURCES: list[PointSource] = []


def register_point_source(source: PointSource) -> None:
    if source not in _POINT_SOURCES:
        _POINT_SOURCES.append(source)


def record_counts(member_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """member id → point kind → number of qualifying records in the year (three queries:
    the duties, the registered sources (session attendance) and the shifts)."""
    if not member_ids:
        return {}
    counts: dict[int, dict[str, int]] = {}

    def add(member_id: int, kind: str, n: int) -> None:
        per_member = counts.setdefault(member_id, {})
        per_member[kind] = per_member.get(kind, 0) + n

    duties = (
        Duty.objects.filter(member__in=member_ids, date__year=year, status=DutyStatus.DONE)
        .values_list("member_id", "kind", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for member_id, kind, outcome, n in duties:
        if kind in DUTY_KIND_POINTS:
            add(member_id, DUTY_KIND_POINTS[kind], n)
        bonus = OUTCOME_BONUS.get((kind, outcome))
        if bonus:
            add(member_id, bonus, n)
    for source in _POINT_SOURCES:
        for member_id, kind, n in source(member_ids, year):
            add(member_id, kind, n)
    shifts = (
        DutyShift.objects.filter(member__in=member_ids, date__year=year, status=ShiftStatus.DONE)
        .values_list("member_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for member_id, n in shifts:
        add(member_id, PointKind.DUTY_DAY, n)
    return counts


def score(
    member_id: int, counts: dict[str, int], rules: list[Rule], bands: list[Band]
) -> MemberPoints:
    result = MemberPoints(member_id=member_id)
    for rule in rules:
        n = counts.get(rule.kind, 0)
        raw = n * rule.points
        points = raw if rule.cap is None else min(raw, rule.cap)
        result.kinds.append(KindPoints(rule.kind, rule.label, n, points, points < raw))
        result.total += points
    result.band_index = band_index(result.total, bands)
    result.band = bands[result.band_index].label
    return result


def member_points(
    members: QuerySet | Iterable, year: int, *, bands: list[Band] | None = None
) -> dict[int, MemberPoints]:
    """Points of every member for ``year`` (members as a queryset, or a list of members or
    ids): six queries for any number of members (five when given the year's ``bands``)."""
    if isinstance(members, QuerySet):
        member_ids = list(members.values_list("pk", flat=True))
    else:
        member_ids = [getattr(m, "pk", m) for m in members]
    rules = rules_for_year(year)
    if bands is None:
        bands = bands_for_year(year)
    counts = record_counts(member_ids, year)
    return {
        member_id: score(member_id, counts.get(member_id, {}), rules, bands)
        for member_id in member_ids
    }


# The point kind each of the 五个一 (``members.rules``) is counted under. The counts behind the
# points are the checklist's: completed duties of the year, and for 协商 the sessions attended
# as well (``ATTENDED_KIND`` → ATTENDANCE, which ``record_counts`` adds attendance to).
FIVE_ONES_POINT_KINDS = tuple((kind, DUTY_KIND_POINTS[kind]) for kind in five_ones.FIVE_ONES)
assert DUTY_KIND_POINTS[five_ones.ATTENDED_KIND] == PointKind.ATTENDANCE


def five_ones_from_points(points: MemberPoints) -> list[dict]:
    """The 五个一 checklist (``members.rules``) from a member's points (no further query)."""
    by_kind = points.by_kind()
    return five_ones.checklist(
        {duty_kind: by_kind[point_kind].count for duty_kind, point_kind in FIVE_ONES_POINT_KINDS}
    )
