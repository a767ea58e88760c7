"""Resolved topics in district A in 2025, shared by the cases and report tests."""

import datetime

from tests.factories import DepartmentFactory, ReferralFactory, TopicFactory, VenueFactory
from topics.models import TopicCategory

D = datetime.date
MARCH_1, MARCH_11 = D(2025, 3, 1), D(2025, 3, 11)


def resolve(topic, *, raised=MARCH_1, on=MARCH_11, rating="", summary="已办结"):
    """Put ``topic`` in the state 办结 (or 评价 when rated) directly: the lifecycle services are
    tested elsewhere; here only the stored outcome matters."""
    topic.status = "rated" if rating else "resolved"
    topic.raised_on = raised
    topic.resolved_on = on
    topic.resolution_summary = summary
    topic.rating = rating
    topic.rated_on = on if rating else None
    topic.save()  # save(), not update(): the dashboard summaries follow every save
    return topic


def make_cases(world) -> dict:
    """Three topics resolved in district A in 2025 (satisfied, unsatisfied, unrated), one
    resolved in 2024, one still open, and district B's topic resolved in 2025."""
    a = resolve(world.topic_a, rating="satisfied", summary="协调资金加装电梯2部,已投入使用。")
    ReferralFactory(
        topic=a,
        department=world.department_a,
        role="lead",
        referred_on=D(2025, 3, 2),
        deadline=D(2025, 4, 1),
    )
    parking = TopicCategory.objects.get(name="停车难")
    b = resolve(
        TopicFactory(title="学院路停车位划线", area=world.subdistrict_a, category=parking),
        raised=D(2025, 5, 1),
        on=D(2025, 6, 30),
        rating="unsatisfied",
        summary="新划停车位120个。",
    )
    other_venue = VenueFactory(name="学院街道委员工作室", area=world.subdistrict_a)
    c = resolve(
        TopicFactory(title="路灯维修", area=world.subdistrict_a, venue=other_venue),
        raised=D(2025, 8, 1),
        on=D(2025, 8, 3),
        summary="更换路灯15盏。",
    )
    assist = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    ReferralFactory(
        topic=c,
        department=assist,
        role="assist",
        deadline=D(2025, 9, 1),
        referred_on=D(2025, 8, 1),
    )
    resolve(
        TopicFactory(title="去年的案例", area=world.community_a),
        raised=D(2024, 1, 1),
        on=D(2024, 12, 31),
    )
    TopicFactory(title="尚在办理", area=world.community_a, status="in_progress")
    resolve(world.topic_b, summary="伍家岗的案例")
    return {"a": a, "b": b, "c": c, "other_venue": other_venue, "assist": assist}
