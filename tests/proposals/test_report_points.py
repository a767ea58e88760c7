"""Points from reports against hand-computed totals: a joint report counts 报送 for every signer
and its adoption bonuses for the lead author only, once per adopting level (proposals.points)."""

import pytest
from django.utils import timezone

from members.points import member_points
from proposals import services
from tests.factories import MemberFactory, UserFactory

from .helpers import sent, submitted

pytestmark = pytest.mark.django_db


def _opinion_points(points):
    by_kind = points.by_kind()
    return {
        kind: (by_kind[kind].count, by_kind[kind].points)
        for kind in (
            "opinion",
            "opinion_district",
            "opinion_city",
            "opinion_province",
            "opinion_national",
        )
    }


def test_joint_and_multi_level_adoption_hand_computed(world, member_user, office_staff):
    year = timezone.localdate().year
    today = timezone.localdate()
    zhou = MemberFactory(name="周洁", area=world.district_a)
    zhou_user = UserFactory(username="zhou", groups=["委员"])
    zhou.user = zhou_user
    zhou.save(update_fields=["user"])
    before = member_points([world.member_a, zhou], year)

    # R1: 李明 leads, 周洁 signs; adopted by the city and the province (+5, +10 to 李明 only).
    r1 = sent(office_staff, submitted(member_user, world.member_a, cosigners=[zhou]), number=1)
    services.report_adopt(actor=office_staff, report=r1, level="city", adopted_on=today)
    services.report_adopt(actor=office_staff, report=r1, level="province", adopted_on=today)
    services.report_instruction_add(
        actor=office_staff,
        report=r1,
        leader="张某某 副市长",
        level="city",
        given_on=today,
        text="请市卫健委研究。",
    )
    # R2: 李明 alone, adopted by the district (+2).
    r2 = sent(office_staff, submitted(member_user, world.member_a, title="二"), number=2)
    services.report_adopt(actor=office_staff, report=r2, level="district", adopted_on=today)
    # R3: 周洁 leads, 李明 signs; edited into an issue, not sent (counts 报送 for both).
    r3 = submitted(zhou_user, zhou, title="三", cosigners=[world.member_a])
    services.report_set_issue(actor=office_staff, report=r3, issue_year=year, issue_number=3)
    # R4 rejected, R5 waiting: nothing.
    r4 = submitted(member_user, world.member_a, title="四")
    services.report_reject(actor=office_staff, report=r4, reason="重复")
    submitted(member_user, world.member_a, title="五")

    after = member_points([world.member_a, zhou], year)
    li, zhou_points = after[world.member_a.pk], after[zhou.pk]
    # 李明: 3 reports × 5 = 15; district 2 + city 5 + province 10 = 17.
    assert _opinion_points(li) == {
        "opinion": (3, 15),
        "opinion_district": (1, 2),
        "opinion_city": (1, 5),
        "opinion_province": (1, 10),
        "opinion_national": (0, 0),
    }
    assert li.total - before[world.member_a.pk].total == 32
    # 周洁: 2 reports × 5 = 10, no bonus (R1's bonuses are the lead's; R3 was not adopted).
    assert _opinion_points(zhou_points) == {
        "opinion": (2, 10),
        "opinion_district": (0, 0),
        "opinion_city": (0, 0),
        "opinion_province": (0, 0),
        "opinion_national": (0, 0),
    }
    assert zhou_points.total - before[zhou.pk].total == 10


def test_the_report_cap_still_applies(world, member_user, office_staff):
    year = timezone.localdate().year
    for number in range(1, 8):  # 7 reports × 5 = 35, capped at 30
        sent(
            office_staff,
            submitted(member_user, world.member_a, title=f"第{number}篇"),
            number=number,
        )
    opinion = member_points([world.member_a], year)[world.member_a.pk].by_kind()["opinion"]
    assert (opinion.count, opinion.points, opinion.capped) == (7, 30, True)
