"""Steps that make the work: topics with their timelines, referrals and the sessions they met at.

Sessions are planned first (which venue meets on which days); a topic that reaches agreement does
so a few days after the first session at its venue following its move into consultation, and is
linked to that session. That keeps the session count exact and every link consistent in time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from members.models import Gender
from platforms.models import Area, VenueKind
from topics import similarity
from topics.lifecycle import OPEN_STATES, TRANSITIONS, TopicStatus
from topics.models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Attendance,
    AttendanceStatus,
    Consultation,
    ConsultationForm,
    ConsultationTopic,
    Department,
    EventKind,
    Priority,
    Rating,
    Referral,
    ReferralRole,
    ResolutionKind,
    Topic,
    TopicEvent,
    TopicPair,
    TopicSource,
)

from . import names, texts, variants
from .places import ESTATE_STEMS, ESTATE_SUFFIXES, ROADS
from .state import Township, VenueInfo

if TYPE_CHECKING:
    from .build import DemoBuilder

S = TopicStatus
DAY = dt.timedelta(days=1)
MAX_TOPICS_PER_SESSION = 5

# Days between a topic's previous move and the move into each state (min, max).
STEP_DAYS: dict[str, tuple[int, int]] = {
    S.ACCEPTED: (1, 10),
    S.DECLINED: (1, 14),
    S.CONSULTING: (3, 25),
    S.AGREED: (3, 20),  # topics without a venue; at a venue, agreement follows its next session
    S.REFERRED: (1, 7),
    S.IN_PROGRESS: (1, 6),
    S.REPLIED: (7, 60),
    S.RESOLVED: (1, 15),
    S.UNRESOLVED: (20, 60),
    S.ESCALATED: (5, 30),
    S.REPORTED: (5, 30),
    S.RATED: (3, 25),
    S.FOLLOW_UP: (20, 75),
    S.IMPLEMENTED: (30, 120),
    S.ELEVATED: (1, 10),
}

# Where a topic is headed, by how long ago it was raised: old topics have mostly run their
# course, recent ones are still open. Histories are cut at yesterday, which adds open ones.
TARGET_WEIGHTS: tuple[tuple[int, dict[str, float]], ...] = (
    (
        90,
        {
            S.RAISED: 12,
            S.ACCEPTED: 8,
            S.DECLINED: 4,
            S.CONSULTING: 12,
            S.AGREED: 5,
            S.REFERRED: 8,
            S.IN_PROGRESS: 12,
            S.REPLIED: 4,
            S.RESOLVED: 12,
            S.UNRESOLVED: 1,
            S.ESCALATED: 1,
            S.REPORTED: 0.5,
            S.RATED: 12,
            S.FOLLOW_UP: 3,
            S.IMPLEMENTED: 0,
        },
    ),
    (
        240,
        {
            S.RAISED: 1,
            S.ACCEPTED: 1,
            S.DECLINED: 6,
            S.CONSULTING: 3,
            S.AGREED: 2,
            S.REFERRED: 3,
            S.IN_PROGRESS: 8,
            S.REPLIED: 2,
            S.RESOLVED: 15,
            S.UNRESOLVED: 3,
            S.ESCALATED: 4,
            S.REPORTED: 1.5,
            S.RATED: 35,
            S.FOLLOW_UP: 9,
            S.IMPLEMENTED: 3,
        },
    ),
    (
        100_000,
        {
            S.RAISED: 0.3,
            S.ACCEPTED: 0.3,
            S.DECLINED: 7,
            S.CONSULTING: 0.7,
            S.AGREED: 0.5,
            S.REFERRED: 1,
            S.IN_PROGRESS: 3.5,
            S.REPLIED: 0.5,
            S.RESOLVED: 14,
            S.UNRESOLVED: 2,
            S.ESCALATED: 5,
            S.REPORTED: 2,
            S.RATED: 42,
            S.FOLLOW_UP: 10,
            S.IMPLEMENTED: 10,
        },
    ),
)

SOURCE_WEIGHTS = {
    TopicSource.RESIDENT: 40,
    TopicSource.MEMBER: 22,
    TopicSource.GOVERNMENT: 10,
    TopicSource.RESEARCH: 10,
    TopicSource.ONLINE: 18,
}
RATING_WEIGHTS = {Rating.SATISFIED: 75, Rating.BASICALLY: 20, Rating.UNSATISFIED: 5}
PRIORITY_WEIGHTS = {Priority.LOW: 55, Priority.NORMAL: 33, Priority.HIGH: 12}

F = ConsultationForm
FORMS_BY_KIND = {
    VenueKind.VILLAGE_ROOM: {
        F.VILLAGE_NIGHT: 30,
        F.COURTYARD: 25,
        F.RESIDENTS: 15,
        F.PUBLIC_HEARING: 10,
        F.DEMOCRATIC: 10,
        F.ONLINE: 5,
        F.MONTHLY_TALK: 5,
    },
    VenueKind.BUSINESS_ROOM: {F.BUSINESS: 60, F.COORDINATION: 20, F.DEMOCRATIC: 10, F.ONLINE: 10},
    VenueKind.CONSULTATION_STATION: {
        F.STATION: 40,
        F.NEIGHBOUR_NIGHT: 15,
        F.HALF_SEVEN: 10,
        F.RESIDENTS: 15,
        F.PUBLIC_HEARING: 10,
        F.ONLINE: 10,
    },
    VenueKind.CONSULTATION_HALL: {
        F.RESIDENTS: 25,
        F.PUBLIC_HEARING: 20,
        F.COORDINATION: 15,
        F.DEMOCRATIC: 15,
        F.HALF_SEVEN: 10,
        F.NEIGHBOUR_NIGHT: 10,
        F.MONTHLY_TALK: 5,
    },
    VenueKind.MEMBER_STUDIO: {
        F.MONTHLY_TALK: 30,
        F.PUBLIC_HEARING: 20,
        F.COORDINATION: 20,
        F.DEMOCRATIC: 15,
        F.ONLINE: 15,
    },
}
FORMS_DEFAULT = {
    F.MONTHLY_TALK: 25,
    F.DEMOCRATIC: 20,
    F.COORDINATION: 20,
    F.PUBLIC_HEARING: 15,
    F.ONLINE: 10,
    F.HALF_SEVEN: 10,
}
EVENING_FORMS = {F.NEIGHBOUR_NIGHT, F.HALF_SEVEN, F.VILLAGE_NIGHT}


def lifecycle_paths() -> dict[str, list[tuple[str, ...]]]:
    """Every path through ``TRANSITIONS`` from RAISED that visits no state twice, by the state it
    ends in (the loops 继续办理 and 重新办理 are added on top of a path, not walked here)."""
    paths: dict[str, list[tuple[str, ...]]] = defaultdict(list)

    def walk(path: tuple[str, ...]) -> None:
        paths[path[-1]].append(path)
        for nxt in sorted(TRANSITIONS[path[-1]]):
            if nxt not in path:
                walk((*path, nxt))

    walk((S.RAISED,))
    return paths


LIFECYCLE_PATHS = lifecycle_paths()


def path_weight(path: tuple[str, ...], source: str) -> float:
    """Government assignments are usually referred straight away; others go through a session."""
    direct = S.REFERRED in path and S.CONSULTING not in path
    if source == TopicSource.GOVERNMENT:
        return 6.0 if direct else 2.0
    if direct:
        return 0.3
    return 1.4


@dataclass
class TopicPlan:
    """A topic with the dates of the moves that made it what it is."""

    topic: Topic
    info: VenueInfo | None
    township: Township
    text: texts.CategoryText
    moves: dict[str, dt.date]
    words: dict[str, str | int]


@dataclass
class SessionPlan:
    info: VenueInfo
    day: dt.date
    topics: list[TopicPlan] = field(default_factory=list)


def plan_sessions(b: DemoBuilder) -> None:
    """Decide on which days each venue holds its sessions, before the topics that meet at
    them: past ones spread over the window (the demo member's venues get one this year
    whatever the dice say), and a few upcoming ones in the next 30 days."""
    rng, scale = b.rng, b.scale
    past = scale.consultations - scale.upcoming_consultations
    spans = [(max(info.open_from, b.window_start), info.open_to) for info in b.venues]
    shares = _largest_remainder(
        [
            venue_activity(info) * ((end - start).days + 1)
            for info, (start, end) in zip(b.venues, spans, strict=True)
        ],
        past,
    )
    plans = []
    demo_venues = b.demo_member_venues()
    for info, (start, end), count in zip(b.venues, spans, shares, strict=True):
        # Roughly regular (月月谈 ...), each session somewhere in its own stretch of time.
        step = ((end - start).days + 1) / max(count, 1)
        days = [
            start + dt.timedelta(days=int(step * i + rng.uniform(0, step))) for i in range(count)
        ]
        if info in demo_venues and days:
            year_start = max(b.today.replace(month=1, day=1), start)
            if days[-1] < year_start:
                days[-1] = b.day_between(year_start, end)
        plans += [SessionPlan(info, min(day, end)) for day in days]
    plans.sort(key=lambda p: (p.day, p.info.venue.code))
    b.past_sessions = defaultdict(list)
    for plan in plans:
        b.past_sessions[plan.info.venue.pk].append(plan)
    b.session_days = {pk: [p.day for p in ps] for pk, ps in b.past_sessions.items()}

    active = [info for info in b.venues if info.venue.is_active]
    upcoming = b.demo_member_venues()
    upcoming += rng.sample(active, max(scale.upcoming_consultations - len(upcoming), 0))
    plans += [
        SessionPlan(info, b.today + dt.timedelta(days=rng.randint(1, 30)))
        for info in upcoming[: scale.upcoming_consultations]
    ]
    b.session_plans = sorted(plans, key=lambda p: (p.day, p.info.venue.code))


def venue_activity(info: VenueInfo) -> int:
    """Halls, stations, studios and village rooms meet twice as often as the others."""
    return 2 if info.venue.kind in FORMS_BY_KIND else 1


def next_session(b: DemoBuilder, info: VenueInfo, after: dt.date) -> SessionPlan | None:
    """The venue's first past session after ``after`` with room for another topic."""
    index = bisect.bisect_right(b.session_days.get(info.venue.pk, []), after)
    for plan in b.past_sessions[info.venue.pk][index:]:
        if len(plan.topics) < MAX_TOPICS_PER_SESSION:
            return plan
    return None


def build_topics(b: DemoBuilder) -> None:
    """Topics in every state, each with the chain of moves that led there."""
    rng = b.rng
    tracking_codes: set[str] = set()
    topics, events, referrals = [], [], []
    b.topic_plans = []
    venue_weights = [venue_activity(info) for info in b.venues]
    communities = [(t, c) for t in b.townships for c in t.communities]
    for _ in range(b.scale.topics):
        if rng.random() < 0.88:
            info = rng.choices(b.venues, venue_weights)[0]
            township, area = info.township, info.venue.area
            first, last = info.open_from, min(info.open_to, b.yesterday)
        else:
            info = None
            township, area = rng.choice(communities)
            first, last = b.window_start, b.yesterday
        first = max(first, b.window_start)
        raised_on = b.day_between(first, last)
        plan = plan_topic(b, info, township, area, raised_on)
        code = "".join(rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
        while code in tracking_codes:
            code = "".join(rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
        tracking_codes.add(code)
        plan.topic.tracking_code = code
        topics.append(plan.topic)
        b.topic_plans.append(plan)
    b.save(Topic, topics, "topics")
    by_status = Counter(plan.topic.status for plan in b.topic_plans)
    for status in S:
        b.counts[f"topics: {status.value} {status.label}"] = by_status[status]
    for plan in b.topic_plans:
        events += topic_events(b, plan)
        referrals += topic_referrals(b, plan)
    b.save(TopicEvent, events, "topic events")
    b.save(Referral, referrals, "referrals")


def plan_topic(
    b: DemoBuilder, info: VenueInfo | None, township: Township, area: Area, raised_on: dt.date
) -> TopicPlan:
    """Pick a category, a source and a destination state, then walk the lifecycle towards it,
    a plausible number of days per move, stopping at yesterday."""
    rng = b.rng
    rural = township.rural and not area.name.endswith("社区")
    weights = [
        (text.rural_weight if rural else text.urban_weight) or 0.2
        for text in (texts.CATEGORY_TEXTS.get(c.name, texts.GENERIC_TEXT) for c in b.categories)
    ]
    category = rng.choices(b.categories, weights)[0]
    text = texts.CATEGORY_TEXTS.get(category.name, texts.GENERIC_TEXT)
    source = b.pick(SOURCE_WEIGHTS)

    age = (b.yesterday - raised_on).days
    target_weights = next(w for limit, w in TARGET_WEIGHTS if age <= limit)
    target = b.pick(target_weights)
    candidates = LIFECYCLE_PATHS[target]
    path = rng.choices(candidates, [path_weight(p, source) for p in candidates])[0]
    moves: dict[str, dt.date] = {}
    day = raised_on
    for status in path[1:]:
        if status == S.AGREED and info is not None:
            # Agreement comes a few days after the venue's next session; no session yet, no
            # agreement: the topic is still being consulted on.
            session = next_session(b, info, moves[S.CONSULTING])
            if session is None:
                break
            day = session.day + dt.timedelta(days=rng.randint(1, 7))
        else:
            low, high = STEP_DAYS[status]
            day += dt.timedelta(days=rng.randint(low, high))
        if day > b.yesterday:
            break
        moves[status] = day
    status = list(moves)[-1] if moves else S.RAISED

    estate = (
        f"{area.name}安置小区" if rural else rng.choice(ESTATE_STEMS) + rng.choice(ESTATE_SUFFIXES)
    )
    words = {
        "estate": estate,
        "road": rng.choice(ROADS),
        "place": area.name,
        "sub": township.area.name,
        "district": township.district.short,
        "n": rng.randint(1, 12),
        "category": category.name,
        "detail": rng.choice(texts.DETAILS),
    }
    topic = Topic(
        title=rng.choice(text.titles).format(**words),
        description=text.description.format(**words),
        source=source,
        category=category,
        area=area,
        venue=info.venue if info else None,
        raised_on=raised_on,
        status=status,
        priority=b.pick(PRIORITY_WEIGHTS),
    )
    fill_people(b, topic, info, township, source)
    fill_outcome(b, topic, text, words, moves)
    plan = TopicPlan(topic, info, township, text, moves, words)
    if info is not None and S.CONSULTING in moves:
        session = next_session(b, info, moves[S.CONSULTING])
        # Agreed topics met at that session; some still under discussion met there too.
        if session and (S.AGREED in moves or rng.random() < 0.5):
            session.topics.append(plan)
    return plan


def fill_people(b: DemoBuilder, topic: Topic, info, township: Township, source: str) -> None:
    rng = b.rng
    if source == TopicSource.RESIDENT or (source == TopicSource.ONLINE and rng.random() < 0.4):
        topic.resident_name = names.person_name(rng, rng.choice(Gender.values))
        topic.resident_phone = b.mobile()
        topic.resident_consents_contact = rng.random() < 0.75
    if source == TopicSource.MEMBER or (source == TopicSource.RESEARCH and rng.random() < 0.5):
        team = info.members_on(topic.raised_on) if info else []
        if not team:
            team = [
                m for m in b.members if m.is_active and b.home[id(m)] is township.district
            ] or b.members
        topic.raised_by_member = rng.choice(team)


def fill_outcome(b: DemoBuilder, topic: Topic, text, words, moves: dict[str, dt.date]) -> None:
    rng = b.rng
    if S.ACCEPTED in moves:
        topic.deadline = moves[S.ACCEPTED] + dt.timedelta(days=rng.randint(30, 90))
    if S.REFERRED in moves:
        words["referral_days"] = rng.randint(15, 45)
        topic.deadline = moves[S.REFERRED] + dt.timedelta(days=words["referral_days"])
    if S.RESOLVED in moves:
        topic.resolved_on = moves[S.RESOLVED]
        before = list(moves)[list(moves).index(S.RESOLVED) - 1] if len(moves) > 1 else S.ACCEPTED
        topic.resolution_kind = {
            S.ACCEPTED: ResolutionKind.ON_SPOT,
            S.AGREED: ResolutionKind.AGREEMENT,
        }.get(before, ResolutionKind.REFERRAL)
        topic.resolution_summary = rng.choice(text.resolutions).format(**words)
    if (S.RESOLVED in moves or S.UNRESOLVED in moves) and rng.random() < 0.25:
        topic.internal_notes = rng.choice(texts.INTERNAL_NOTES)
    if S.RATED in moves:
        topic.rating = b.pick(RATING_WEIGHTS)
        topic.rated_on = moves[S.RATED]


def topic_events(b: DemoBuilder, plan: TopicPlan) -> list[TopicEvent]:
    rng, topic = b.rng, plan.topic
    actor = plan.township.district.office_user
    events = [
        TopicEvent(
            topic=topic,
            kind=EventKind.RAISED,
            actor=actor,
            at=b.office_hours(topic.raised_on),
            to_status=S.RAISED,
            note=f"来源:{topic.get_source_display()}",
        )
    ]
    previous = S.RAISED
    for status, day in plan.moves.items():
        if status == S.DECLINED:
            note = rng.choice(texts.DECLINE_REASONS)
        elif status == S.UNRESOLVED:
            note = rng.choice(texts.UNRESOLVED_REASONS)
        elif status == S.ESCALATED:
            note = rng.choice(texts.ESCALATION_NOTES)
        elif status == S.ACCEPTED:
            note = rng.choice(texts.ACCEPT_NOTES)
        elif status == S.AGREED:
            note = "达成共识:" + rng.choice(plan.text.consensus).format(**plan.words)
        elif status == S.REFERRED:
            note = rng.choice(texts.REFERRAL_NOTES).format(department=lead_department(b, plan).name)
        elif status == S.IN_PROGRESS:
            note = rng.choice(texts.PROGRESS_NOTES)
        elif status == S.RATED:
            note = rng.choice(texts.RATING_NOTES[topic.rating])
        elif status == S.FOLLOW_UP:
            note = rng.choice(texts.FOLLOW_UP_NOTES)
        else:
            note = ""
        events.append(
            TopicEvent(
                topic=topic,
                kind=EventKind.TRANSITION,
                actor=actor,
                at=b.office_hours(day),
                from_status=previous,
                to_status=status,
                note=note,
            )
        )
        previous = status
    return events


def lead_department(b: DemoBuilder, plan: TopicPlan) -> Department:
    """The lead department of a referred topic (chosen once, remembered in ``words``)."""
    if "lead" not in plan.words:
        rng = b.rng
        options = [plan.township.department(name) for name in plan.text.departments]
        if rng.random() < 0.08:
            options = b.city_departments
        lead = rng.choice(options)
        assist = None
        if rng.random() < 0.3:
            others = [d for d in [*options, plan.township.office] if d is not lead]
            assist = rng.choice(others) if others else None
        plan.words["lead"], plan.words["assist"] = lead, assist
    return plan.words["lead"]


def topic_referrals(b: DemoBuilder, plan: TopicPlan) -> list[Referral]:
    if S.REFERRED not in plan.moves:
        return []
    rng, moves = b.rng, plan.moves
    lead = lead_department(b, plan)
    referred_on = moves[S.REFERRED]
    answered_on = moves.get(S.REPLIED)
    if answered_on and S.UNRESOLVED not in moves:
        reply = plan.topic.resolution_summary
    elif answered_on:
        reply = "经研究," + rng.choice(texts.UNRESOLVED_REASONS)
    else:
        reply = ""
    rows = [
        Referral(
            topic=plan.topic,
            department=lead,
            role=ReferralRole.LEAD,
            referred_on=referred_on,
            deadline=plan.topic.deadline,
            # The unit signed the day the topic went to 办理中; its reply has the class the
            # topic's end says (解决 A, 未解决 C).
            signed_on=moves.get(S.IN_PROGRESS),
            replied_on=answered_on,
            reply=reply,
            reply_class=(("C" if S.UNRESOLVED in moves else "A") if answered_on else ""),
        )
    ]
    assist = plan.words.get("assist")
    if assist is not None:
        replied = None
        if answered_on:
            replied = max(referred_on, answered_on - dt.timedelta(days=rng.randint(0, 5)))
        rows.append(
            Referral(
                topic=plan.topic,
                department=assist,
                role=ReferralRole.ASSIST,
                referred_on=referred_on,
                deadline=plan.topic.deadline,
                signed_on=moves.get(S.IN_PROGRESS),
                replied_on=replied,
                reply="配合主办单位完成相关工作。" if replied else "",
                reply_class="A" if replied else "",
            )
        )
    return rows


def build_consultations(b: DemoBuilder) -> None:
    """The planned sessions, with attendance, linked topics and departments present."""
    sessions, links, attendances, m2m = [], [], [], []
    Through = Consultation.departments.through
    b.session_rows = []  # (session, attendances, topics) for the duties step
    for plan in b.session_plans:
        session, departments = new_session(b, plan)
        sessions.append(session)
        present = []
        if plan.day < b.today:
            present = session_attendance(b, session, plan)
            attendances += present
        for topic_plan in plan.topics:
            note = (
                "与会人员达成共识,形成协商意见。"
                if S.AGREED in topic_plan.moves
                else "初步协商,尚未形成共识,会后继续征求意见。"
            )
            links.append(ConsultationTopic(consultation=session, topic=topic_plan.topic, note=note))
        m2m += [(session, d) for d in departments]
        b.session_rows.append((session, present, plan.topics))
    b.save(Consultation, sessions, "consultations")
    b.save(ConsultationTopic, links, "consultation topics")
    b.save(Attendance, attendances, "attendances")
    rows = [Through(consultation_id=s.pk, department_id=d.pk) for s, d in m2m]
    b.save(Through, rows, "consultation departments")


def new_session(b: DemoBuilder, plan: SessionPlan) -> tuple[Consultation, list[Department]]:
    """A session with its form, title, host, head counts, minutes and agreed outcome."""
    rng, info = b.rng, plan.info
    form = b.pick(FORMS_BY_KIND.get(info.venue.kind, FORMS_DEFAULT))
    label = ConsultationForm(form).label
    if form in EVENING_FORMS:
        held_at = b.at(plan.day, 19, 30)
    else:
        held_at = b.at(plan.day, *rng.choice(((9, 0), (9, 30), (14, 30), (15, 0))))
    township = info.township
    if plan.topics:
        first = plan.topics[0]
        subject = first.topic.title + ("等议题" if len(plan.topics) > 1 else "")
        title = f"{label}:{subject}"
        departments = [township.department(name) for name in first.text.departments]
        departments = rng.sample(departments, rng.randint(1, len(departments)))
    else:
        themes = texts.RURAL_THEMES if township.rural else texts.URBAN_THEMES
        subject = rng.choice(themes)
        title = rng.choice((f"关于{subject}的{label}", f"{label}:{subject}"))
        pool = [township.office, *township.district.departments.values()]
        departments = rng.sample(pool, rng.choice((0, 1, 1, 2)))
    departments = sorted(set(departments), key=lambda d: d.name)

    members = info.members_on(min(plan.day, b.yesterday))
    convener = info.convener_on(min(plan.day, b.yesterday))
    host = (
        convener if convener and rng.random() < 0.8 else (rng.choice(members) if members else None)
    )
    upcoming = plan.day >= b.today
    residents = rng.randint(6, 40)
    enterprises = rng.randint(0, 3) if rng.random() < 0.3 else 0
    if form == F.BUSINESS:
        residents, enterprises = rng.randint(0, 5), rng.randint(5, 20)
    elif form == F.ONLINE:
        residents = rng.randint(20, 120)
    elif form in (F.VILLAGE_NIGHT, F.COURTYARD):
        residents = rng.randint(10, 60)
    minutes = outcome = ""
    if not upcoming and rng.random() < 0.88:
        minutes = texts.MINUTES.format(
            date=f"{plan.day.year}年{plan.day.month}月{plan.day.day}日",
            venue=info.venue.name,
            form=label,
            host=host.name if host else "社区负责人",
            residents=residents,
            enterprises=enterprises,
            subject=subject,
            departments=(
                f",{departments[0].name}等{len(departments)}个部门负责同志到会"
                if departments
                else ""
            ),
        )
        agreed = [p for p in plan.topics if S.AGREED in p.moves]
        if rng.random() < 0.95:
            if agreed:
                outcome = "\n".join(
                    f"{i}. " + rng.choice(p.text.consensus).format(**p.words)
                    for i, p in enumerate(agreed, start=1)
                )
            else:
                outcome = rng.choice(texts.OUTCOMES_GENERAL).format(n=rng.randint(2, 6))
    elif not upcoming and rng.random() < 0.2:
        outcome = rng.choice(texts.OUTCOMES_GENERAL).format(n=rng.randint(2, 6))
    session = Consultation(
        venue=info.venue,
        held_at=held_at,
        form=form,
        title=title[:200],
        host=host,
        residents_count=0 if upcoming else residents,
        enterprises_count=0 if upcoming else enterprises,
        experts_count=0 if upcoming or rng.random() < 0.7 else rng.randint(1, 3),
        departments_count=len(departments) + rng.randint(0, len(departments)),
        minutes=minutes,
        outcome=outcome,
        created_by=township.district.office_user,
    )
    return session, departments


def session_attendance(
    b: DemoBuilder, session: Consultation, plan: SessionPlan
) -> list[Attendance]:
    rows = []
    for member in plan.info.members_on(plan.day):
        if member is session.host:
            status = AttendanceStatus.PRESENT
        else:
            status = b.pick(
                {
                    AttendanceStatus.PRESENT: 85,
                    AttendanceStatus.LEAVE: 10,
                    AttendanceStatus.ABSENT: 5,
                }
            )
        rows.append(Attendance(consultation=session, member=member, status=status))
    return rows


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into whole numbers that add up exactly."""
    whole = sum(weights) or 1
    quotas = [total * w / whole for w in weights]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


DUPLICATE_SHARE = 0.05
DUPLICATE_DAYS = 90


def build_duplicates(b: DemoBuilder) -> None:
    """The same problem reported again (issue 16): some open topics of the last 90 days come
    back a few days later, in other words (``demo.variants.reword``), from a resident at
    another venue of the same township, and wait in the queue flagged as likely duplicates
    (a suggested ``TopicPair``), as the public form's arrival flags them. A generator of its
    own, seeded from the builder's seed, so the rows built before are unchanged."""
    rng = random.Random(f"duplicates-{b.seed}")
    recent = b.yesterday - dt.timedelta(days=DUPLICATE_DAYS)
    by_township: dict[int, list[VenueInfo]] = defaultdict(list)
    for info in b.venues:
        by_township[id(info.township)].append(info)
    codes = {plan.topic.tracking_code for plan in b.topic_plans}
    copies: list[tuple[Topic, Topic]] = []
    for plan in b.topic_plans:
        original = plan.topic
        if plan.info is None or original.status not in OPEN_STATES or original.raised_on < recent:
            continue
        if rng.random() >= DUPLICATE_SHARE:
            continue
        raised = min(b.yesterday, original.raised_on + dt.timedelta(days=rng.randint(1, 20)))
        others = [
            info
            for info in by_township[id(plan.township)]
            if info.venue.pk != plan.info.venue.pk and info.open_from <= raised <= info.open_to
        ]
        if not others:
            continue
        info = rng.choice(others)
        code = "".join(rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
        while code in codes:
            code = "".join(rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
        codes.add(code)
        copy = Topic(
            title=variants.reword(original.title, rng),
            description=variants.reword_description(
                original.description, info.venue.area.name, rng
            ),
            source=TopicSource.RESIDENT,
            category=original.category,
            area=info.venue.area,
            venue=info.venue,
            raised_on=raised,
            status=S.RAISED,
            priority=original.priority,
            tracking_code=code,
        )
        copies.append((original, copy))
    b.save(Topic, [copy for _, copy in copies], "topics: duplicate reports")
    b.save(
        TopicEvent,
        [
            TopicEvent(
                topic=copy,
                kind=EventKind.RAISED,
                actor=None,
                at=b.at(copy.raised_on, 10 + rng.randint(0, 9), 0),
                to_status=S.RAISED,
                note="群众通过阵地公开页面反映",
            )
            for _, copy in copies
        ],
        "topic events",
    )
    pairs = []
    for original, copy in copies:
        texts_ = [
            similarity.TopicText(t.pk, t.title, t.description, t.category_id, t.area.path)
            for t in (copy, original)
        ]
        score = similarity.Scorer(texts_).score(*texts_)
        low, high = sorted((original.pk, copy.pk))
        pairs.append(TopicPair(low_id=low, high_id=high, score=score))
    b.save(TopicPair, pairs, "similar topic pairs")
