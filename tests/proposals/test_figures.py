"""The dashboard's 社情民意 and 协商成果 block equals hand counts; other areas' records stay out."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals import services
from proposals.figures import record_figures
from proposals.models import PublicOpinionReport, ReportAuthor
from tests.conftest import client_for

from .helpers import sent, submitted

pytestmark = pytest.mark.django_db


def _figures(area, year):
    today = timezone.localdate()
    start = datetime.date(year, 1, 1)
    end = min(datetime.date(year, 12, 31), today)
    prev_start = datetime.date(year - 1, 1, 1)
    prev_end = end.replace(year=year - 1)
    return record_figures(
        area_q=lambda lookup: Q(**{f"{lookup}__path__startswith": area.path}),
        start=start,
        end=end,
        previous_start=prev_start,
        previous_end=prev_end,
    )


def _old_report(area, member, day):
    report = PublicOpinionReport.objects.create(
        area=area, title="去年的", body="…", submitted_on=day
    )
    ReportAuthor.objects.create(report=report, member=member)


def test_hand_counts(world, member_user, office_staff):
    today = timezone.localdate()
    year = today.year
    a = sent(office_staff, submitted(member_user, world.member_a, title="一"), number=1)
    b = sent(office_staff, submitted(member_user, world.member_a, title="二"), number=2)
    submitted(member_user, world.member_a, title="三")  # submitted, not yet edited: still counts
    _old_report(world.district_a, world.member_a, today.replace(year=year - 1, day=1))
    _old_report(world.district_a, world.member_a, today.replace(year=year - 1, day=1))
    # Another district's report never shows in district A.
    _old_report(world.district_b, world.member_b, today)
    for level in ("district", "city", "province"):
        services.report_adopt(actor=office_staff, report=a, level=level, adopted_on=today)
    services.report_adopt(actor=office_staff, report=b, level="city", adopted_on=today)
    services.report_instruction_add(
        actor=office_staff, report=a, leader="张某某", level="city", given_on=today, text="阅。"
    )
    outcome = services.outcome_create(
        actor=office_staff,
        area=world.district_a,
        kind="suggestion",
        title="关于加装电梯的协商建议",
        date=today,
        recipient="government",
        sent_on=today,
        consultations=[world.session_a],
    )
    services.outcome_instruction_add(
        actor=office_staff,
        outcome=outcome,
        leader="刘某某 区长",
        level="district",
        given_on=today,
        text="请区住建局落实。",
    )
    done = services.outcome_item_add(
        actor=office_staff,
        outcome=outcome,
        text="年内完成3台",
        unit=world.department_a,
        due_on=today,
    )
    services.outcome_item_follow_up(actor=office_staff, item=done, progress="已完工", done_on=today)
    services.outcome_item_add(
        actor=office_staff,
        outcome=outcome,
        text="建立维保基金",
        unit=world.department_a,
        due_on=today,
    )
    services.outcome_item_add(  # due next year: not yet due, not in the rate
        actor=office_staff,
        outcome=outcome,
        text="长效机制",
        unit=world.department_a,
        due_on=today.replace(year=year + 1),
    )
    f = _figures(world.district_a, year)
    assert f["opinion_submitted"] == 3
    assert f["opinion_submitted_before"] == 2
    assert f["opinion_growth"] == 50.0
    assert f["opinion_adopted"] == 4
    assert f["opinion_adopted_by_level"] == [("区/县级", 1), ("市级", 2), ("省级", 1), ("全国", 0)]
    assert f["opinion_instructions"] == 1
    assert (f["outcomes_sent"], f["outcome_instructions"]) == (1, 1)
    assert (f["outcome_items_due"], f["outcome_items_done"], f["outcome_items_rate"]) == (
        2,
        1,
        50.0,
    )
    other = _figures(world.district_b, year)
    assert (other["opinion_submitted"], other["opinion_adopted"], other["outcomes_sent"]) == (
        1,
        0,
        0,
    )

    page = client_for(office_staff).get(reverse("dashboards:home"), follow=True).content.decode()
    assert 'id="records-block"' in page and "增长 50.0%" in page
    definitions = client_for(office_staff).get(reverse("dashboards:definitions")).content.decode()
    assert "采纳事项落实率" in definitions


def test_five_queries_whatever_the_rows(world, member_user, office_staff):
    year = timezone.localdate().year
    with CaptureQueriesContext(connection) as empty:
        _figures(world.district_a, year)
    for n in range(1, 6):
        sent(office_staff, submitted(member_user, world.member_a, title=f"{n}"), number=n)
    with CaptureQueriesContext(connection) as some:
        _figures(world.district_a, year)
    assert len(empty) == len(some) == 5
