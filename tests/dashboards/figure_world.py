"""A small hand-built world whose every dashboard figure is computed by hand in the tests.

Measured period: the year 2025 seen on 31 December 2025 (``PERIOD``), compared with 2024.

    City C
    ├── District D1 (members M1, M2, M4 inactive)
    │   ├── Subdistrict S1 ── Community K1: venues V1, V2, V4 (V4 not in use)
    │   └── Subdistrict S2 (no communities, topic T12 filed on the subdistrict itself)
    └── District D2 (member M3) ── Subdistrict S3 ─┬ Community K3: venue V3
                                                   └ Community K4: no venue (coverage)
    City committee member M5 (area C).

Topics (raised → resolved, status, rating):
    T1  V1 2025-03-01 → 2025-03-11 (10 d) rated 满意
    T2  V1 2025-04-01 → 2025-04-21 (20 d) resolved, unrated
    T3  V2 2025-05-01 → 2025-06-01 (31 d) follow_up 不满意
    T4  V1 2024-12-20 → 2025-01-05 (16 d) rated 基本满意   (raised last period, resolved this one)
    T5  V1 2025-11-01 → 2026-01-10        resolved         (raised this period, resolved the next)
    T6  V1 2025-02-01 declined
    T7  V1 2025-02-02 merged into T1                        (a duplicate: never counted)
    T8  V2 2025-06-01 referred, deadline 2025-07-01         (overdue)
    T9  V1 2025-07-01 raised, no deadline
    T10 V1 2025-08-01 in_progress, deadline 2026-03-01,
        referral unanswered past 2025-10-01                 (overdue)
    T11 V3 2025-05-05 → 2025-05-06 (1 d) rated 满意
    T12 S2 2025-09-09 accepted (no venue)
    T13 V1 2024-03-01 → 2024-03-05 (4 d) resolved, unrated

Referrals (lead): T1 2025-03-03 due 03-10 (6 working days, late), T2 2025-04-02 due 04-10
(12, late), T3 2025-05-06 due 06-10 (18, on time), T10 2025-08-02 due 10-01 (open).
T8 was reopened (rated → referred) on 2025-06-20.

Sessions (Asia/Shanghai), agenda, units, residents:
    Sa V1 2025-03-10 19:00, outcome recorded: M1 出席, M2 请假, M3 缺席; T1 T2; 住建局; 12
    Sb V1 2025-12-31 23:30: M1 出席, M2 出席 (nobody on leave); T1 T10; 住建局; 8
    Sc V3 2025-05-05 10:00: no attendance rows; T11; 水务局; 5
    Sd V2 2026-01-01 00:30: M1 出席 (already next year in Beijing time); T5; 4
    Se V1 2024-06-01 10:00: M1 出席; T13; 3
    Sf V4 2025-08-08 10:00 (a venue no longer in use)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dashboards.periods import Period
from dashboards.scope import DashboardScope
from members.models import DutyKind, DutyStatus
from platforms.models import AreaLevel, StandardItem, VenueStandardRecord
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    ConsultationFactory,
    DepartmentFactory,
    DutyFactory,
    MemberFactory,
    ReferralFactory,
    TopicFactory,
    VenueFactory,
    make_area,
)
from topics.models import TopicEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2025, 12, 31)
PERIOD = Period.year(2025, today=TODAY)
D = datetime.date


def at(y, m, d, hh=10, mm=0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@dataclass
class FigureWorld:
    areas: dict
    venues: dict
    topics: dict
    members: dict

    def node(self, name: str) -> DashboardScope:
        if name in self.venues:
            return DashboardScope(venue=self.venues[name], top=self.areas["C"])
        return DashboardScope(area=self.areas[name], top=self.areas["C"])


def build() -> FigureWorld:
    a = {}
    a["C"] = make_area("C市", AreaLevel.CITY)
    a["D1"] = make_area("D1区", AreaLevel.DISTRICT, a["C"])
    a["S1"] = make_area("S1街道", AreaLevel.SUBDISTRICT, a["D1"])
    a["K1"] = make_area("K1社区", AreaLevel.COMMUNITY, a["S1"])
    a["S2"] = make_area("S2街道", AreaLevel.SUBDISTRICT, a["D1"])
    a["D2"] = make_area("D2区", AreaLevel.DISTRICT, a["C"])
    a["S3"] = make_area("S3街道", AreaLevel.SUBDISTRICT, a["D2"])
    a["K3"] = make_area("K3社区", AreaLevel.COMMUNITY, a["S3"])
    a["K4"] = make_area("K4村", AreaLevel.COMMUNITY, a["S3"])  # no venue yet
    for area in a.values():
        area.refresh_from_db()

    v = {
        "V1": VenueFactory(name="V1驿站", code="fw-v1", area=a["K1"]),
        "V2": VenueFactory(name="V2议事厅", code="fw-v2", area=a["K1"], kind="hall"),
        "V3": VenueFactory(name="V3议事室", code="fw-v3", area=a["K3"]),
        "V4": VenueFactory(name="V4旧址", code="fw-v4", area=a["K1"], is_active=False),
    }
    for venue in ("V1", "V2"):
        for item in StandardItem.values:
            VenueStandardRecord.objects.create(venue=v[venue], item=item, met_on=D(2025, 1, 1))
    for item in StandardItem.values:
        met_on = D(2026, 1, 15) if item == StandardItem.PROCEDURE else D(2025, 6, 1)
        VenueStandardRecord.objects.create(venue=v["V3"], item=item, met_on=met_on)

    t = {}

    def topic(name, venue, raised, status, resolved=None, rating="", area=None, **extra):
        t[name] = TopicFactory(
            title=name,
            area=area or v[venue].area,
            venue=v[venue] if venue else None,
            raised_on=raised,
            status=status,
            resolved_on=resolved,
            rating=rating,
            rated_on=resolved if rating else None,
            **extra,
        )

    topic("T1", "V1", D(2025, 3, 1), "rated", D(2025, 3, 11), "satisfied")
    topic("T2", "V1", D(2025, 4, 1), "resolved", D(2025, 4, 21))
    topic("T3", "V2", D(2025, 5, 1), "follow_up", D(2025, 6, 1), "unsatisfied")
    topic("T4", "V1", D(2024, 12, 20), "rated", D(2025, 1, 5), "basically")
    topic("T5", "V1", D(2025, 11, 1), "resolved", D(2026, 1, 10))
    topic("T6", "V1", D(2025, 2, 1), "declined")
    topic("T7", "V1", D(2025, 2, 2), "merged", merged_into=t["T1"])
    topic("T8", "V2", D(2025, 6, 1), "referred", deadline=D(2025, 7, 1))
    topic("T9", "V1", D(2025, 7, 1), "raised")
    topic("T10", "V1", D(2025, 8, 1), "in_progress", deadline=D(2026, 3, 1))
    topic("T11", "V3", D(2025, 5, 5), "rated", D(2025, 5, 6), "satisfied")
    topic("T12", None, D(2025, 9, 9), "accepted", area=a["S2"])
    topic("T13", "V1", D(2024, 3, 1), "resolved", D(2024, 3, 5))
    department = DepartmentFactory(name="D1住建局", area=a["D1"])
    ReferralFactory(
        topic=t["T10"], department=department, referred_on=D(2025, 8, 2), deadline=D(2025, 10, 1)
    )
    # An answered late referral does not make T2 overdue (it is resolved anyway).
    ReferralFactory(
        topic=t["T2"],
        department=department,
        referred_on=D(2025, 4, 2),
        deadline=D(2025, 4, 10),
        replied_on=D(2025, 4, 20),
    )

    # Issue 14: referrals of resolved topics (working days 交办 → 办结 and 按期办结).
    # T1: referred 2025-03-03, due 03-10, resolved 03-11: 6 working days, late.
    # T2: referred 2025-04-02, due 04-10, resolved 04-21: 12 working days (清明 4-6 April), late.
    # T3: referred 2025-05-06, due 06-10, resolved 06-01: 18 working days (端午 2 June), on time.
    ReferralFactory(
        topic=t["T1"],
        department=department,
        referred_on=D(2025, 3, 3),
        deadline=D(2025, 3, 10),
        replied_on=D(2025, 3, 9),
    )
    ReferralFactory(
        topic=t["T3"],
        department=department,
        referred_on=D(2025, 5, 6),
        deadline=D(2025, 6, 10),
        replied_on=D(2025, 5, 30),
    )
    # A reopen (重新办理): T8 was rated 不满意 and sent back to 交办 on 2025-06-20.
    TopicEvent.objects.create(
        topic=t["T8"], at=at(2025, 6, 20), from_status="rated", to_status="referred"
    )

    m = {
        "M1": MemberFactory(name="M1", area=a["D1"]),
        "M2": MemberFactory(name="M2", area=a["D1"]),
        "M3": MemberFactory(name="M3", area=a["D2"]),
        "M4": MemberFactory(name="M4", area=a["D1"], is_active=False),
        "M5": MemberFactory(name="M5", area=a["C"], committee_level="city"),
    }
    AssignmentFactory(member=m["M1"], venue=v["V1"], started_on=D(2024, 1, 1))
    AssignmentFactory(
        member=m["M3"], venue=v["V1"], started_on=D(2025, 1, 1), ended_on=D(2025, 2, 1)
    )
    AssignmentFactory(
        member=m["M2"], venue=v["V1"], started_on=D(2024, 1, 1), ended_on=D(2024, 6, 30)
    )
    AssignmentFactory(member=m["M2"], venue=v["V2"], started_on=D(2025, 3, 1))

    four = (DutyKind.PROPOSAL, DutyKind.RESEARCH, DutyKind.OPINION, DutyKind.DEED)
    for kind in four:
        DutyFactory(member=m["M1"], kind=kind, date=D(2025, 5, 1))
        DutyFactory(member=m["M3"], kind=kind, date=D(2025, 6, 1))
        DutyFactory(member=m["M4"], kind=kind, date=D(2025, 6, 1))
        status = DutyStatus.PLANNED if kind == DutyKind.DEED else DutyStatus.DONE
        DutyFactory(member=m["M2"], kind=kind, date=D(2025, 6, 1), status=status)
    # M3 took part in a consultation outside the portal; M4 too, but M4 left office.
    DutyFactory(member=m["M3"], kind=DutyKind.CONSULTATION, date=D(2025, 7, 1))
    DutyFactory(member=m["M4"], kind=DutyKind.CONSULTATION, date=D(2025, 7, 1))

    sa = ConsultationFactory(
        venue=v["V1"], held_at=at(2025, 3, 10, 19), outcome="达成共识", residents_count=12
    )
    AttendanceFactory(consultation=sa, member=m["M1"], status="present")
    AttendanceFactory(consultation=sa, member=m["M2"], status="leave")
    AttendanceFactory(consultation=sa, member=m["M3"], status="absent")
    sb = ConsultationFactory(venue=v["V1"], held_at=at(2025, 12, 31, 23, 30), residents_count=8)
    AttendanceFactory(consultation=sb, member=m["M1"], status="present")
    AttendanceFactory(consultation=sb, member=m["M2"], status="present")
    sc = ConsultationFactory(venue=v["V3"], held_at=at(2025, 5, 5), residents_count=5)
    sd = ConsultationFactory(venue=v["V2"], held_at=at(2026, 1, 1, 0, 30), residents_count=4)
    AttendanceFactory(consultation=sd, member=m["M1"], status="present")
    se = ConsultationFactory(venue=v["V1"], held_at=at(2024, 6, 1), residents_count=3)
    AttendanceFactory(consultation=se, member=m["M1"], status="present")
    ConsultationFactory(venue=v["V4"], held_at=at(2025, 8, 8))
    # Agendas (协商议题) and the units taking part (参与部门).
    sa.topics.add(t["T1"], t["T2"])
    sb.topics.add(t["T1"], t["T10"])  # T1 on two agendas: one 协商议题
    sc.topics.add(t["T11"])
    sd.topics.add(t["T5"])
    se.topics.add(t["T13"])
    sa.departments.add(department)
    sb.departments.add(department)
    sc.departments.add(DepartmentFactory(name="D2水务局", area=a["D2"]))
    return FigureWorld(areas=a, venues=v, topics=t, members=m)
