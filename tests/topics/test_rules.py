"""Overdue and due soon (``topics.rules``): the querysets and the Python checks on a loaded row
say the same, and every place that shows "overdue" — the list filter, the office home, the
dashboard figure, the summary snapshots and the reminder batch — agrees on one set of topics."""

import datetime

import pytest
from django.utils import timezone

from dashboards.figures import compute, records_raw_counts
from dashboards.periods import Period
from dashboards.scope import DashboardScope
from dashboards.summaries import topic_snapshots
from notifications.reminders import referral_overdue_batch
from topics import rules
from topics.lifecycle import TopicStatus
from topics.models import Referral, ReferralRole, Topic
from topics.selectors import office_home

from ..conftest import client_for
from ..factories import DepartmentFactory, ReferralFactory, TopicFactory

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def deadlines(world, today):
    """Topics in district A, named by what they are on ``today``."""
    area = world.community_a
    department = DepartmentFactory(area=world.district_a)
    assisting = DepartmentFactory(area=world.district_a, name="协办部门")
    start = today - 40 * DAY

    def topic(title, status=TopicStatus.ACCEPTED, **fields):
        return TopicFactory(title=title, area=area, raised_on=start, status=status, **fields)

    def referral(topic, deadline, replied_on=None, role=ReferralRole.LEAD):
        return ReferralFactory(
            topic=topic,
            department=department if role == ReferralRole.LEAD else assisting,
            role=role,
            referred_on=start,
            deadline=deadline,
            replied_on=replied_on,
            reply="已办理" if replied_on else "",
        )

    topic("own deadline passed", deadline=today - DAY)
    late = topic("referral unanswered past its deadline", status=TopicStatus.REFERRED)
    referral(late, today - 2 * DAY)
    answered = topic("referral answered late", status=TopicStatus.REFERRED)
    referral(answered, today - 3 * DAY, replied_on=today - DAY)
    topic(
        "resolved past its deadline",
        status=TopicStatus.RESOLVED,
        deadline=today - DAY,
        resolved_on=today - DAY,
        resolution_summary="已办结",
    )
    topic("due today", deadline=today)
    topic("due in three days", deadline=today + 3 * DAY)
    topic("due in seven days", deadline=today + 7 * DAY)
    topic("due in eight days", deadline=today + 8 * DAY)
    soon = topic("referral due soon", status=TopicStatus.REFERRED, deadline=today + 20 * DAY)
    referral(soon, today - 5 * DAY, replied_on=today - 6 * DAY)
    referral(soon, today + 5 * DAY, role=ReferralRole.ASSIST)
    topic("no deadline at all")
    return {
        "overdue": {"own deadline passed", "referral unanswered past its deadline"},
        "due_soon": {"due today", "due in three days", "due in seven days", "referral due soon"},
        "late_referrals": set(Referral.objects.filter(topic=late).values_list("pk", flat=True)),
    }


def titles(qs) -> set[str]:
    return set(qs.values_list("title", flat=True))


def test_the_queries_say_what_the_rule_says(deadlines, today):
    assert titles(Topic.objects.filter(rules.topic_overdue_q(today))) == deadlines["overdue"]
    assert titles(Topic.objects.filter(rules.topic_due_soon_q(today))) == deadlines["due_soon"]
    assert titles(Topic.objects.overdue(today)) == deadlines["overdue"]
    late = Referral.objects.filter(rules.referral_overdue_q(today))
    late = set(late.values_list("pk", flat=True))
    assert late == deadlines["late_referrals"]


@pytest.mark.parametrize("shift", [-3, 0, 1, 4, 9])
def test_python_checks_agree_with_the_queries_row_by_row(deadlines, today, shift):
    """On any day, the checks on a loaded row say what the ``Q`` says of the same row."""
    day = today + shift * DAY
    overdue = set(Topic.objects.filter(rules.topic_overdue_q(day)).values_list("pk", flat=True))
    soon = set(Topic.objects.filter(rules.topic_due_soon_q(day)).values_list("pk", flat=True))
    rows = list(rules.with_due(Topic.objects.all()).prefetch_related("referrals"))
    assert rows
    for topic in rows:
        unanswered = [r.deadline for r in topic.referrals.all() if r.replied_on is None]
        due = rules.topic_due(topic.deadline, unanswered)
        assert due == topic.due, topic.title
        assert rules.topic_is_overdue(topic.status, due, day) == (topic.pk in overdue), topic.title
        assert rules.topic_is_due_soon(topic.status, due, day) == (topic.pk in soon), topic.title
        first = rules.first_overdue_day(topic.status, due)
        assert (first is not None and first <= day) == (topic.pk in overdue), topic.title
        for referral in topic.referrals.all():
            in_q = Referral.objects.filter(rules.referral_overdue_q(day), pk=referral.pk).exists()
            assert rules.referral_is_overdue(referral, topic.status, day) == in_q


def test_list_filter_home_figure_snapshots_and_reminders_agree(
    deadlines, world, office_staff, today
):
    expected = deadlines["overdue"]

    # The topic list's 逾期 filter, and its badge on the rows.
    response = client_for(office_staff).get("/topics/", {"overdue": "1"})
    listed = {t.title for t in response.context["page_obj"].object_list}
    assert listed == expected
    assert all(t.overdue_now for t in response.context["page_obj"].object_list)

    # The office home: its counts, and the 逾期 badge on the topics it lists.
    home = office_home(user=office_staff, today=today)
    assert home["counts"]["overdue"] == len(expected)
    assert home["counts"]["due_soon"] == len(deadlines["due_soon"])
    flagged = {t.title for t in home["attention_topics"] if t.due_overdue}
    assert flagged == expected & {t.title for t in home["attention_topics"]}

    # The dashboard's "overdue now": from the summary tables and from the records.
    node = DashboardScope(area=world.district_a)
    period = Period.default(today)
    assert compute(node, period)["overdue"] == len(expected)
    assert records_raw_counts(node, [period])[0][None]["overdue"] == len(expected)

    # The summary snapshots: the first overdue day of every topic is on or before today.
    names = dict(Topic.objects.values_list("pk", "title"))
    snapshots = {names[pk]: s for pk, s in topic_snapshots()}
    late = {t for t, s in snapshots.items() if s.overdue_from and s.overdue_from <= today}
    assert late == expected

    # The reminder batch: the overdue referrals, and only those, to the district's office.
    office_staff.email = "staff_a@example.com"
    office_staff.save(update_fields=["email"])
    batch = referral_overdue_batch(today)
    assert {mail.related["referral"] for mail in batch.mails} == deadlines["late_referrals"]
    assert {mail.related["topic"] for mail in batch.mails} == {
        pk for pk, title in names.items() if title == "referral unanswered past its deadline"
    }
