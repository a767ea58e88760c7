"""The records the redesigned lifecycle keeps beside a topic's state: a 回访 (``TopicVisit``) for
every rated topic, a few 重新办理 (不满意 at the 回访, back to 已交办, closed and visited again),
跟踪问效 records (``TopicFollowUp``) with their progress on follow_up/implemented topics, and a
few 提级 from a district to the city (the district's topic 已提级, the city's new topic linked
through ``elevated_from``). Events are written as ``topics.services.practice`` writes them.

A generator of its own, seeded from the builder's seed, so the rows built before keep their
values (apart from the topics these steps move on).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from topics.lifecycle import TopicStatus
from topics.models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    EventKind,
    Rating,
    Referral,
    ReferralRole,
    Topic,
    TopicEvent,
    TopicFollowUp,
    TopicVisit,
    VisitMethod,
)

from . import texts

if TYPE_CHECKING:
    from .build import DemoBuilder
    from .work import TopicPlan

S = TopicStatus
DAY = dt.timedelta(days=1)

VISIT_METHOD_WEIGHTS = {VisitMethod.CALL: 70, VisitMethod.VISIT: 25, VisitMethod.SELF: 5}
# Most 不满意 回访 lead to 重新办理 when there is time for the second round to finish.
REOPEN_SHARE = 0.7
# Of the topics left at 已受理, the share the district raised to the city instead.
ELEVATE_SHARE = 0.15
FOLLOW_UP_GAP = (30, 75)  # days between two 跟踪问效 checks
FOLLOW_UP_CHECKS = 4  # at most, before 已落实: later ones are not worth a row each


def build_practice(b: DemoBuilder) -> None:
    rng = random.Random(f"practice-{b.seed}")
    events: list[TopicEvent] = []
    visits: list[TopicVisit] = []
    follow_ups: list[TopicFollowUp] = []
    changed: list[Topic] = []
    accepted: list[TopicPlan] = []
    for plan in b.topic_plans:
        topic, moves = plan.topic, plan.moves
        actor = plan.township.district.office_user
        if S.RATED in moves:
            if not reopen(b, rng, plan, visits, events):
                visits.append(new_visit(b, rng, topic, moves[S.RATED], topic.rating, actor))
            else:
                changed.append(topic)
        if S.FOLLOW_UP in moves:
            follow_ups += checks(b, rng, plan, events)
        if topic.status == S.ACCEPTED and moves[S.ACCEPTED] < b.yesterday:
            accepted.append(plan)
    # 提级 adds a topic at the city per raised topic: not for the bench, whose dataset holds
    # exactly the scale's number of topics (DemoBuilder.duplicates gates every extra topic).
    if not b.duplicates:
        accepted = []
    elevated = [plan for plan in accepted if rng.random() < ELEVATE_SHARE]
    if accepted and not elevated:
        elevated = [rng.choice(accepted)]
    raised = [elevate(b, rng, plan, events) for plan in elevated]
    changed += [plan.topic for plan in elevated]
    b.save(Topic, [copy for copy, _ in raised], "topics: elevated to the city")
    for (copy, reason), plan in zip(raised, elevated, strict=True):
        events.append(copy_event(b, copy, reason, plan.township.district.office_user))
    Topic.objects.bulk_update(changed, ["status", "rating", "rated_on", "resolved_on"])
    b.counts[f"topics: {S.ACCEPTED.value} {S.ACCEPTED.label}"] -= len(elevated)
    b.counts[f"topics: {S.ELEVATED.value} {S.ELEVATED.label}"] += len(elevated)
    b.save(TopicEvent, events, "topic events")
    b.save(TopicVisit, visits, "topic visits (回访)")
    b.save(TopicFollowUp, follow_ups, "topic follow-ups (跟踪问效)")
    b.counts["topics reopened (重新办理)"] += sum(e.kind == EventKind.REOPEN for e in events)


def office_hours(b: DemoBuilder, rng: random.Random, day: dt.date) -> dt.datetime:
    return b.at(day, rng.randint(8, 17), rng.choice((0, 10, 20, 30, 40, 50)))


def new_visit(b, rng, topic: Topic, day: dt.date, rating: str, actor) -> TopicVisit:
    return TopicVisit(
        topic=topic,
        visited_on=day,
        visitor=rng.choice(texts.VISITORS),
        method=rng.choices(list(VISIT_METHOD_WEIGHTS), list(VISIT_METHOD_WEIGHTS.values()))[0],
        rating=rating,
        note=rng.choice(texts.RATING_NOTES[rating]),
        recorded_by=actor,
    )


def reopen(b: DemoBuilder, rng: random.Random, plan: TopicPlan, visits, events) -> bool:
    """重新办理 for a topic rated 不满意: back to 已交办, signed, answered, closed and visited
    again (基本满意 or 满意 this time). False when the topic does not qualify or the second
    round would not be over by yesterday."""
    topic, moves = plan.topic, plan.moves
    if (
        topic.status != S.RATED
        or topic.rating != Rating.UNSATISFIED
        or S.REFERRED not in moves
        or rng.random() >= REOPEN_SHARE
    ):
        return False
    rated = moves[S.RATED]
    reopened = rated + rng.randint(1, 5) * DAY
    signed = reopened + rng.randint(1, 4) * DAY
    replied = signed + rng.randint(7, 25) * DAY
    resolved = replied + rng.randint(1, 7) * DAY
    visited = resolved + rng.randint(3, 15) * DAY
    if visited > b.yesterday:
        return False
    actor = plan.township.district.office_user
    rating = rng.choices([Rating.SATISFIED, Rating.BASICALLY], [60, 40])[0]
    first = new_visit(b, rng, topic, rated, Rating.UNSATISFIED, actor)
    second = new_visit(b, rng, topic, visited, rating, actor)
    visits += [first, second]
    lead = plan.words.get("lead")
    steps = (
        (reopened, EventKind.REOPEN, S.RATED, S.REFERRED, rng.choice(texts.REOPEN_REASONS)),
        (signed, EventKind.TRANSITION, S.REFERRED, S.IN_PROGRESS, "承办单位重新签收办理。"),
        (replied, EventKind.TRANSITION, S.IN_PROGRESS, S.REPLIED, "承办单位再次答复办理结果。"),
        (resolved, EventKind.TRANSITION, S.REPLIED, S.RESOLVED, "重新办理后办结。"),
        (
            visited,
            EventKind.RATING,
            S.RESOLVED,
            S.RATED,
            f"{second.get_method_display()}({second.visitor}),"
            f"群众评价:{Rating(rating).label}。{second.note}",
        ),
    )
    for day, kind, src, dst, note in steps:
        if kind == EventKind.REOPEN and lead is not None:
            note += f"仍由{lead.name}牵头办理。"
        events.append(
            TopicEvent(
                topic=topic,
                kind=kind,
                actor=actor,
                at=office_hours(b, rng, day),
                from_status=src,
                to_status=dst,
                note=note,
            )
        )
    topic.resolved_on, topic.rated_on, topic.rating = resolved, visited, rating
    # The 主办's referral holds its latest reply (the first one stays on the timeline).
    Referral.objects.filter(topic=topic, role=ReferralRole.LEAD).update(replied_on=replied)
    return True


def checks(b: DemoBuilder, rng: random.Random, plan: TopicPlan, events) -> list[TopicFollowUp]:
    """跟踪问效 records from the move into 跟踪问效 until 已落实 (the last check at 100%) or
    yesterday (at most ``FOLLOW_UP_CHECKS`` before it), their progress rising; each check after
    the first has its own event."""
    topic, moves = plan.topic, plan.moves
    actor = plan.township.district.office_user
    done = moves.get(S.IMPLEMENTED)
    end = done or b.yesterday
    day, progress = moves[S.FOLLOW_UP], rng.choice((20, 30, 40, 50, 60))
    rows = []
    while True:
        rows.append((day, progress))
        day += rng.randint(*FOLLOW_UP_GAP) * DAY
        progress = min(progress + rng.choice((10, 15, 20, 25, 30)), 95)
        if day >= end or len(rows) == FOLLOW_UP_CHECKS:
            break
    if done is not None:
        rows.append((done, 100))
    records = []
    for i, (day, progress) in enumerate(rows):
        text = rng.choice(texts.FOLLOW_UP_PROGRESS if progress < 100 else texts.FOLLOW_UP_DONE)
        records.append(
            TopicFollowUp(
                topic=topic, checked_on=day, text=text, progress=progress, recorded_by=actor
            )
        )
        if i:  # the first check is the move into 跟踪问效, already on the timeline
            at = office_hours(b, rng, day)
            if day == done:  # before 确认落实 that day
                at = b.at(day, 8, 0)
            events.append(
                TopicEvent(
                    topic=topic,
                    kind=EventKind.FOLLOW_UP,
                    actor=actor,
                    at=at,
                    note=f"跟踪问效({day.isoformat()},进度 {progress}%):{text}",
                )
            )
    return records


def elevate(b: DemoBuilder, rng: random.Random, plan: TopicPlan, events) -> tuple[Topic, str]:
    """提级: the district's accepted topic goes to the city's queue (a new topic, 待受理, not
    saved yet), with the reason given."""
    topic = plan.topic
    day = min(plan.moves[S.ACCEPTED] + rng.randint(1, 10) * DAY, b.yesterday)
    reason = rng.choice(texts.ELEVATE_REASONS)
    codes = set(Topic.objects.values_list("tracking_code", flat=True))
    code = "".join(rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
    while code in codes:
        code = "".join(rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
    copy = Topic(
        title=topic.title,
        description=topic.description,
        source=topic.source,
        category=topic.category,
        area=b.root,
        raised_by_member=topic.raised_by_member,
        resident_name=topic.resident_name,
        resident_phone=topic.resident_phone,
        resident_consents_contact=topic.resident_consents_contact,
        priority=topic.priority,
        raised_on=day,
        status=S.RAISED,
        elevated_from=topic,
        tracking_code=code,
    )
    topic.status = S.ELEVATED
    events.append(
        TopicEvent(
            topic=topic,
            kind=EventKind.ELEVATE,
            actor=plan.township.district.office_user,
            at=office_hours(b, rng, day),
            from_status=S.ACCEPTED,
            to_status=S.ELEVATED,
            note=f"提级至{b.root.name}政协办公室:{reason}(上级议题查询码 {code})",
        )
    )
    return copy, reason


def copy_event(b: DemoBuilder, copy: Topic, reason: str, actor) -> TopicEvent:
    """The city topic's 登记 event, after the district's 提级 that day (office hours end 17:50)."""
    original = copy.elevated_from
    return TopicEvent(
        topic=copy,
        kind=EventKind.RAISED,
        actor=actor,
        at=b.at(copy.raised_on, 18, 0),
        to_status=S.RAISED,
        note=f"由{original.area.name}议题 #{original.pk} 提级:{reason}",
    )
