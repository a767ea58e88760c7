"""Steps that make the people: members, their venue teams and liaison groups, the duty rota and
their duties (履职)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from members.models import (
    Assignment,
    AssignmentRole,
    CommitteeLevel,
    Duty,
    DutyKind,
    DutyOutcome,
    DutyShift,
    DutyStatus,
    Gender,
    Member,
    PoliticalStatus,
    RotaMonth,
    SectorKind,
    ShiftSlot,
    ShiftStatus,
)
from platforms.models import Venue, VenueKind
from topics.lifecycle import TopicStatus as S

from . import names, texts
from .places import COMPANY_STEMS
from .state import District, VenueInfo

if TYPE_CHECKING:
    from .build import DemoBuilder

DAY = dt.timedelta(days=1)

# Weights of the seeded sectors (界别); sectors an office adds get DEFAULT_SECTOR_WEIGHT.
SECTOR_WEIGHTS = {
    "中共": 15,
    "经济界": 12,
    "医药卫生界": 8,
    "教育界": 8,
    "农业界": 7,
    "科技界": 5,
    "社会福利和社会保障界": 5,
    "文化艺术界": 4,
    "民盟": 3,
    "民建": 3,
    "民进": 3,
    "农工党": 3,
    "九三学社": 3,
    "民革": 2,
    "致公党": 2,
    "无党派人士": 3,
    "工商联": 4,
    "少数民族界": 2,
}
DEFAULT_SECTOR_WEIGHT = 1.5
PARTY_STATUS = {
    "中共": PoliticalStatus.CPC,
    "民革": PoliticalStatus.RCCK,
    "民盟": PoliticalStatus.CDL,
    "民建": PoliticalStatus.CNDCA,
    "民进": PoliticalStatus.CAPD,
    "农工党": PoliticalStatus.CPWDP,
    "致公党": PoliticalStatus.CZGP,
    "九三学社": PoliticalStatus.JSS,
    "台盟": PoliticalStatus.TDSGL,
    "无党派人士": PoliticalStatus.INDEPENDENT,
}
OTHER_STATUS_WEIGHTS = {
    PoliticalStatus.CPC: 45,
    PoliticalStatus.MASSES: 20,
    PoliticalStatus.INDEPENDENT: 10,
    PoliticalStatus.CDL: 5,
    PoliticalStatus.CNDCA: 5,
    PoliticalStatus.CAPD: 4,
    PoliticalStatus.CPWDP: 4,
    PoliticalStatus.JSS: 3,
    PoliticalStatus.RCCK: 2,
    PoliticalStatus.CZGP: 2,
}
COMMITTEE_TERMS = {
    CommitteeLevel.PROVINCE: 13,
    CommitteeLevel.CITY: 7,
    CommitteeLevel.DISTRICT: 10,
}

# Members' own duties per year (the "五个一" and a few others), beyond sessions and duty days.
DUTY_RATES = {
    DutyKind.PROPOSAL: 1.3,
    DutyKind.OPINION: 1.5,
    DutyKind.RESEARCH: 1.0,
    DutyKind.DEED: 1.2,
    DutyKind.OTHER: 0.4,
}


def build_members(b: DemoBuilder) -> None:
    """Members of the district, city and (a few) provincial committees living in the city."""
    rng = b.rng
    sector_weights = [SECTOR_WEIGHTS.get(s.name, DEFAULT_SECTOR_WEIGHT) for s in b.sectors]
    district_weights = [len(d.townships) for d in b.districts]
    members = []
    for _ in range(b.scale.members):
        roll = rng.random()
        level = (
            CommitteeLevel.PROVINCE
            if roll < 0.03
            else CommitteeLevel.CITY
            if roll < 0.20
            else CommitteeLevel.DISTRICT
        )
        district = rng.choices(b.districts, district_weights)[0]
        sector = rng.choices(b.sectors, sector_weights)[0]
        female = sector.name == "妇联" or rng.random() >= 0.62
        gender = Gender.FEMALE if female else Gender.MALE
        if sector.kind == SectorKind.PARTY and sector.name in PARTY_STATUS:
            status = PARTY_STATUS[sector.name]
        else:
            status = b.pick(OTHER_STATUS_WEIGHTS)
        ethnicity = names.ethnicity(rng, district.data.minority_share)
        birth_year = b.today.year - rng.randint(32, 66)
        work_unit, title = member_work(b, sector.name, district)
        member = Member(
            name=b.person(gender),
            gender=gender,
            ethnicity=ethnicity,
            birth_year=birth_year,
            political_status=status,
            sector=sector,
            committee_level=level,
            area=district.area if level == CommitteeLevel.DISTRICT else b.root,
            term=COMMITTEE_TERMS[level],
            special_committee=rng.choice(texts.SPECIAL_COMMITTEES) if rng.random() < 0.85 else "",
            work_unit=work_unit,
            title=title,
            phone=b.mobile(),
            focus_areas="、".join(rng.sample(texts.DUTY_THEMES, 2)),
            bio=f"{birth_year}年生,{ethnicity},{PoliticalStatus(status).label}。"
            f"现任{work_unit}{title}。",
            is_active=rng.random() >= 0.03,
        )
        b.home[id(member)] = district
        if not member.is_active:
            b.left_on[id(member)] = b.day_between(b.window_start, b.yesterday)
        members.append(member)
    b.members = b.save(Member, members, "members")


def member_work(b: DemoBuilder, sector: str, district: District) -> tuple[str, str]:
    rng = b.rng
    unit, titles = rng.choice(texts.SECTOR_WORK.get(sector, texts.GENERIC_WORK))
    unit = unit.format(
        city=b.city.name,
        district=district.short,
        company=rng.choice(COMPANY_STEMS),
        township=rng.choice(district.townships).area.name,
        bureau=rng.choice(texts.DISTRICT_DEPARTMENTS),
    )
    return unit, rng.choice(titles)


def build_assignments(b: DemoBuilder) -> None:
    """Venue teams (one convener, maybe a liaison, some replaced) and liaison groups."""
    rng = b.rng
    pools: dict[int, list[Member]] = defaultdict(list)
    for member in b.members:
        if member.is_active:
            pools[id(b.home[id(member)])].append(member)
    cursors: dict[int, _Cycle] = {k: _Cycle(v, rng) for k, v in pools.items()}
    assignments: list[Assignment] = []

    for info in b.venues:
        venue = info.venue
        cycle = cursors[id(info.township.district)]
        size = rng.choices((2, 3, 4, 5, 6, 7, 8), (8, 18, 24, 22, 14, 8, 6))[0]
        team = cycle.take(size)
        start = venue.established_on + dt.timedelta(days=rng.randint(0, 14))
        for index, member in enumerate(team):
            role = (
                AssignmentRole.CONVENER
                if index == 0
                else AssignmentRole.LIAISON
                if index == 1 and size >= 3 and rng.random() < 0.6
                else AssignmentRole.MEMBER
            )
            info.roster.append(Assignment(member=member, venue=venue, role=role, started_on=start))
        span = (info.open_to - start).days - 180
        if len(team) >= 3 and span > 0 and rng.random() < 0.25:
            leaving = info.roster[-1]
            leaving.ended_on = start + dt.timedelta(days=90 + rng.randint(0, span))
            newcomer = cycle.take(1, exclude=team)
            if newcomer:
                info.roster.append(
                    Assignment(
                        member=newcomer[0],
                        venue=venue,
                        role=AssignmentRole.MEMBER,
                        started_on=leaving.ended_on + DAY,
                    )
                )
        if not venue.is_active:
            for a in info.roster:
                if a.ended_on is None or a.ended_on > info.open_to:
                    a.ended_on = max(info.open_to, a.started_on)
        assignments += info.roster

    b.demo_member = choose_demo_member(b, assignments)
    assignments += liaison_groups(b)
    b.save(Assignment, assignments, "assignments")
    link_member_user(b)


def choose_demo_member(b: DemoBuilder, assignments: list[Assignment]) -> Member:
    """The member behind the ``member`` login: a district member of the first district
    (the ``staff`` user's), currently on exactly two of its venues for over a year."""
    district = b.districts[0]
    old_enough = b.today - dt.timedelta(days=400)
    current: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        if a.ended_on is None:
            current[id(a.member)].append(a)
    candidates = [
        m
        for m in b.members
        if m.is_active
        and b.home[id(m)] is district
        and m.committee_level == CommitteeLevel.DISTRICT
        and len(current[id(m)]) <= 2
        and all(a.started_on <= old_enough for a in current[id(m)])
    ]
    member = max(candidates, key=lambda m: len(current[id(m)]))  # first of the most-placed
    mine = {a.venue.pk for a in current[id(member)]}
    for info in b.venues:
        if len(mine) >= 2:
            break
        if (
            info.township.district is district
            and info.venue.is_active
            and info.venue.pk not in mine
            and len(info.members_on(b.yesterday)) < 8
            and info.roster[0].started_on <= old_enough
        ):
            extra = Assignment(
                member=member,
                venue=info.venue,
                role=AssignmentRole.MEMBER,
                started_on=info.roster[0].started_on,
            )
            info.roster.append(extra)
            assignments.append(extra)
            mine.add(info.venue.pk)
    return member


def liaison_groups(b: DemoBuilder) -> list[Assignment]:
    """Most members also belong to a township liaison group (街道联络委) at home."""
    rng = b.rng
    rows = []
    for district in b.districts:
        townships = list(district.townships)
        rng.shuffle(townships)
        filled: Counter[int] = Counter()
        members = [m for m in b.members if b.home[id(m)] is district]
        for index, member in enumerate(members):
            if rng.random() >= 0.9:
                continue
            township = townships[index % len(townships)]
            rank = filled[township.area.pk]
            filled[township.area.pk] += 1
            role = (
                AssignmentRole.CONVENER
                if rank == 0
                else AssignmentRole.LIAISON
                if rank == 1
                else AssignmentRole.MEMBER
            )
            start = b.term_start + dt.timedelta(days=rng.randint(0, 30))
            ended = b.left_on.get(id(member))
            rows.append(
                Assignment(
                    member=member, area=township.area, role=role, started_on=start, ended_on=ended
                )
            )
    return rows


def link_member_user(b: DemoBuilder) -> None:
    """Tie the ``member`` login to the demo member (and to no other member)."""
    Member.objects.filter(user=b.member_user).update(user=None)
    b.demo_member.user = b.member_user
    b.demo_member.save(update_fields=["user"])


def build_duty_shifts(b: DemoBuilder) -> None:
    """A weekly rota at every active venue, from a few months back to the end of next month."""
    rng = b.rng
    first_of_next = (b.today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    end = (first_of_next + dt.timedelta(days=32)).replace(day=1) - DAY
    start = b.today - dt.timedelta(days=b.scale.shift_history_days)
    booked: set[tuple[int, dt.date]] = set()  # one shift a day per member
    shifts = []
    for info in b.venues:
        if not info.venue.is_active:
            continue
        weekdays = sorted(rng.sample(range(5), rng.choice((1, 1, 2))))
        if info.venue.kind == VenueKind.MEMBERS_PARLOUR and rng.random() < 0.5:
            weekdays.append(5)
        slot = (
            ShiftSlot.EVENING
            if info.venue.kind == VenueKind.MEMBERS_PARLOUR
            else b.pick({ShiftSlot.FULL_DAY: 50, ShiftSlot.MORNING: 25, ShiftSlot.AFTERNOON: 25})
        )
        turn = 0
        day = max(start, info.open_from)
        while day <= end:
            if day.weekday() in weekdays:
                team = info.members_on(min(day, b.yesterday))
                for offset in range(len(team)):
                    member = team[(turn + offset) % len(team)]
                    if (id(member), day) not in booked:
                        booked.add((id(member), day))
                        shifts.append(new_shift(b, member, info, day, slot, team))
                        turn += offset + 1
                        break
            day += DAY
    ensure_upcoming_shift(b, shifts, booked)
    b.shifts = b.save(DutyShift, shifts, "duty shifts")
    build_rota_months(b)


def build_rota_months(b: DemoBuilder) -> None:
    """Members see and answer the demo's shifts, so each venue-month holding them is published
    (``RotaMonth``), by the venue's district office, five days before the month began (or
    yesterday, for a month whose publishing day is still ahead). Built from the shifts alone:
    no draw from ``b.rng``, so the rest of the demo stays as it was."""
    months: dict[int, set[dt.date]] = defaultdict(set)
    for shift in b.shifts:
        if shift.status != ShiftStatus.DRAFT:
            months[shift.venue.pk].add(shift.date.replace(day=1))
    rows = [
        RotaMonth(
            venue=info.venue,
            month=month,
            published_at=b.at(min(month - 5 * DAY, b.yesterday), 16, 0),
            published_by=info.township.district.office_user,
        )
        for info in b.venues
        for month in sorted(months[info.venue.pk])
    ]
    b.save(RotaMonth, rows, "rota months published")


def new_shift(b: DemoBuilder, member, info: VenueInfo, day: dt.date, slot: str, team) -> DutyShift:
    rng, note = b.rng, ""
    if day < b.today:
        status = b.pick({ShiftStatus.DONE: 85, ShiftStatus.SWAPPED: 7, ShiftStatus.MISSED: 8})
        if status == ShiftStatus.SWAPPED and len(team) > 1:
            other = rng.choice([m for m in team if m is not member])
            note = rng.choice(texts.SWAP_NOTES).format(other=other.name)
        elif status == ShiftStatus.MISSED:
            note = rng.choice(texts.MISSED_NOTES)
    elif day <= b.today + dt.timedelta(days=14):
        status = b.pick({ShiftStatus.CONFIRMED: 55, ShiftStatus.SCHEDULED: 45})
    else:
        status = b.pick({ShiftStatus.SCHEDULED: 80, ShiftStatus.CONFIRMED: 20})
    return DutyShift(member=member, venue=info.venue, date=day, slot=slot, status=status, note=note)


def ensure_upcoming_shift(b: DemoBuilder, shifts: list[DutyShift], booked) -> None:
    """The demo member must see upcoming duty days on their home page."""
    member = b.demo_member
    if any(s.member is member and s.date >= b.today for s in shifts):
        return
    venue_pks = {
        a.venue.pk
        for info in b.venues
        for a in info.roster
        if a.member is member and a.ended_on is None
    }
    for s in shifts:
        if s.date >= b.today and s.venue.pk in venue_pks and (id(member), s.date) not in booked:
            booked.add((id(member), s.date))
            s.member = member
            return


def build_duties(b: DemoBuilder) -> None:
    """履职 records of each member's own work. Sessions attended and duty days done are not
    copied here: they are facts of ``Attendance`` and ``DutyShift``, counted from there."""
    duties = []
    duties += topic_duties(b)
    venues_of: dict[int, list[Venue]] = defaultdict(list)
    for info in b.venues:
        for a in info.roster:
            venues_of[id(a.member)].append(info.venue)
    for member in b.members:
        duties += own_duties(b, member, venues_of[id(member)])
    duties += demo_member_five_ones(b, duties)
    duties += mark_self_reports(b, duties)
    b.save(Duty, duties, "duties")


SELF_REPORTED_KINDS = (DutyKind.PROPOSAL, DutyKind.OPINION, DutyKind.RESEARCH, DutyKind.DEED)


def mark_self_reports(b: DemoBuilder, duties: list[Duty]) -> list[Duty]:
    """Members report their own duties: every third one of the last three weeks still waits for
    the office (待审核), so the review queue has work; the demo member has one waiting and one
    returned with a reason. Chosen by position, not by the random generator, so the rest of the
    demo data stays the same."""
    recent = [
        d
        for d in duties
        if d.status == DutyStatus.DONE
        and d.kind in SELF_REPORTED_KINDS
        and d.topic_id is None
        and (b.yesterday - d.date).days < 21
    ]
    for duty in recent[::3]:
        duty.status, duty.self_reported = DutyStatus.SUBMITTED, True
    member = b.demo_member
    venues = [info.venue for info in b.demo_member_venues()]
    common = {"member": member, "date": b.yesterday, "self_reported": True}
    return [
        Duty(
            **common,
            kind=DutyKind.RESEARCH,
            venue=venues[0] if venues else None,
            title="走访辖区老旧小区,了解加装电梯和停车改造意见",
            status=DutyStatus.SUBMITTED,
        ),
        Duty(
            **common,
            kind=DutyKind.OPINION,
            title="关于背街小巷夜间照明不足的社情民意",
            status=DutyStatus.RETURNED,
            review_note="请补充反映问题的具体地点和涉及人数后重新提交。",
        ),
    ]


def topic_duties(b: DemoBuilder) -> list[Duty]:
    """Research visits on topics being researched; proposals made of escalated topics."""
    rng, rows = b.rng, []
    for plan in b.topic_plans:
        topic, moves = plan.topic, plan.moves
        # Members research a topic while the consultation on it is being prepared.
        if plan.info and S.CONSULTING in moves and rng.random() < 0.6:
            team = plan.info.members_on(moves[S.CONSULTING])
            if team:
                rows.append(
                    Duty(
                        member=rng.choice(team),
                        kind=DutyKind.RESEARCH,
                        venue=plan.info.venue,
                        topic=topic,
                        title=f"调研:{topic.title}"[:200],
                        date=min(
                            moves[S.CONSULTING] + dt.timedelta(days=rng.randint(0, 5)), b.yesterday
                        ),
                    )
                )
        if S.ESCALATED in moves:
            member = topic.raised_by_member or (
                plan.info.convener_on(moves[S.ESCALATED]) if plan.info else None
            )
            if member:
                old = (b.yesterday - moves[S.ESCALATED]).days > 90
                rows.append(
                    Duty(
                        member=member,
                        kind=DutyKind.PROPOSAL,
                        topic=topic,
                        venue=plan.info.venue if plan.info else None,
                        date=moves[S.ESCALATED],
                        title=f"关于{topic.title}的提案"[:200],
                        outcome=DutyOutcome.ANSWERED if old else DutyOutcome.FILED,
                    )
                )
    return rows


def own_duties(b: DemoBuilder, member: Member, venues: list[Venue]) -> list[Duty]:
    """Proposals, opinion reports, research visits, deeds: a few a year each, at random."""
    rng = b.rng
    district = b.home[id(member)]
    last = b.left_on.get(id(member), b.yesterday)
    rows = []
    for kind, rate in DUTY_RATES.items():
        for _ in range(b.poisson(rate * b.scale.years)):
            day = b.day_between(b.window_start, last)
            rows.append(own_duty(b, member, kind, day, district, venues))
    if member.is_active and rng.random() < 0.04:
        kind = rng.choice((DutyKind.RESEARCH, DutyKind.DEED))
        day = b.today + dt.timedelta(days=rng.randint(1, 30))
        duty = own_duty(b, member, kind, day, district, venues)
        duty.status, duty.outcome = DutyStatus.PLANNED, ""
        rows.append(duty)
    return rows


def own_duty(
    b: DemoBuilder, member: Member, kind: str, day: dt.date, district: District, venues: list[Venue]
) -> Duty:
    rng = b.rng
    township = rng.choice(district.townships)
    words = {
        "district": district.short,
        "theme": rng.choice(texts.DUTY_THEMES),
        "sub": township.area.name,
        "place": rng.choice(township.communities).name,
    }
    templates = {
        DutyKind.PROPOSAL: texts.PROPOSAL_TITLES,
        DutyKind.OPINION: texts.OPINION_TITLES,
        DutyKind.RESEARCH: texts.RESEARCH_TITLES,
        DutyKind.DEED: texts.DEED_TITLES,
        DutyKind.OTHER: texts.OTHER_TITLES,
    }[kind]
    recent = (b.yesterday - day).days < 90
    outcome = ""
    if kind == DutyKind.PROPOSAL:
        outcome = b.pick(
            {DutyOutcome.FILED: 70, DutyOutcome.NOT_FILED: 20, DutyOutcome.ANSWERED: 10}
            if recent
            else {DutyOutcome.ANSWERED: 70, DutyOutcome.FILED: 10, DutyOutcome.NOT_FILED: 20}
        )
    elif kind == DutyKind.OPINION and not (recent and rng.random() < 0.5):
        outcome = b.pick(
            {
                DutyOutcome.NOT_ADOPTED: 40,
                DutyOutcome.ADOPTED_DISTRICT: 35,
                DutyOutcome.ADOPTED_CITY: 18,
                DutyOutcome.ADOPTED_PROVINCE: 6,
                DutyOutcome.ADOPTED_NATIONAL: 1,
            }
        )
    status = DutyStatus.CANCELLED if rng.random() < 0.02 else DutyStatus.DONE
    venue = (
        rng.choice(venues)
        if venues and kind in (DutyKind.RESEARCH, DutyKind.DEED) and rng.random() < 0.5
        else None
    )
    return Duty(
        member=member,
        kind=kind,
        date=day,
        title=rng.choice(templates).format(**words),
        venue=venue,
        status=status,
        outcome="" if status == DutyStatus.CANCELLED else outcome,
    )


def demo_member_five_ones(b: DemoBuilder, duties: list[Duty]) -> list[Duty]:
    """The demo member has done each of the "五个一" at least once this year."""
    member = b.demo_member
    year = b.yesterday.year
    done = {
        d.kind
        for d in duties
        if d.member is member and d.date.year == year and d.status == DutyStatus.DONE
    }
    district = b.home[id(member)]
    venues = [info.venue for info in b.demo_member_venues()]
    extra = []
    for kind in (DutyKind.PROPOSAL, DutyKind.RESEARCH, DutyKind.OPINION, DutyKind.DEED):
        if kind not in done:
            day = b.day_between(dt.date(year, 1, 1), b.yesterday)
            duty = own_duty(b, member, kind, day, district, venues)
            duty.status = DutyStatus.DONE
            extra.append(duty)
    return extra


class _Cycle:
    """Hands out members of a pool in a shuffled round, so loads stay even."""

    def __init__(self, members: list[Member], rng: random.Random):
        self.members = list(members)
        self.rng = rng
        self.queue: list[Member] = []

    def take(self, count: int, exclude: list[Member] | None = None) -> list[Member]:
        chosen: list[Member] = []
        exclude = exclude or []
        for _ in range(count * 4 + len(self.members)):
            if len(chosen) == count or not self.members:
                break
            if not self.queue:
                self.queue = list(self.members)
                self.rng.shuffle(self.queue)
            member = self.queue.pop()
            if member not in chosen and member not in exclude:
                chosen.append(member)
        return chosen
