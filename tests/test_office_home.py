"""The staff home page: what needs action now, in the staff's own area, in a fixed number of
queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import ShiftStatus
from topics.lifecycle import TopicStatus
from topics.models import Consultation, Topic
from topics.selectors import office_home

from .conftest import client_for
from .factories import (
    ConsultationFactory,
    DepartmentFactory,
    DutyShiftFactory,
    MemberFactory,
    ReferralFactory,
    TopicFactory,
)

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def monday_noon():
    start = today() - datetime.timedelta(days=today().weekday())
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time(12)))


def fill(world, n: int, *, community=None, venue=None, district=None):
    """``n`` rows of each thing the home page counts, in one district (A unless told)."""
    community = community or world.community_a
    venue = venue or world.venue_a
    district = district or world.district_a
    start = today() - 30 * DAY
    for i in range(n):
        TopicFactory(area=community, venue=venue, raised_on=start, deadline=today() - DAY)
        TopicFactory(area=community, venue=venue, raised_on=start, deadline=today() + 3 * DAY)
        late = TopicFactory(area=community, raised_on=start, status=TopicStatus.REFERRED)
        ReferralFactory(
            topic=late,
            department=DepartmentFactory(area=district),
            referred_on=start,
            deadline=today() - 2 * DAY,
        )
        ConsultationFactory(venue=venue, held_at=monday_noon(), minutes="有纪要")
        ConsultationFactory(venue=venue, held_at=timezone.now() - 40 * DAY, minutes="")
        member = MemberFactory(area=district)
        DutyShiftFactory(member=member, venue=venue, date=today() + (i + 1) * DAY)
        DutyShiftFactory(
            member=member,
            venue=venue,
            date=today() + (i + 1) * DAY,
            slot="evening",
            status=ShiftStatus.CONFIRMED,
        )


def test_counts_and_lists_are_scoped_to_the_area(world, office_staff):
    # world: topic_a and topic_b are raised (waiting), session_a/_b have minutes; move the
    # world's sessions out of this week so only fill's count.
    Consultation.objects.update(held_at=timezone.now() - 20 * DAY)
    fill(world, 2)
    fill(
        world,
        3,
        community=world.community_b,
        venue=world.venue_b,
        district=world.district_b,
    )

    home = office_home(user=office_staff)

    counts = home["counts"]
    # 2 past their own deadline + 2 with an unanswered late referral
    assert counts["overdue"] == 4
    assert counts["due_soon"] == 2
    # topic_a + the 4 deadline topics made by fill (status raised by default)
    assert (
        counts["waiting"]
        == Topic.objects.filter(
            area__path__startswith=world.district_a.path, status=TopicStatus.RAISED
        ).count()
        == 5
    )
    assert counts["sessions_this_week"] == 2
    assert counts["sessions_without_minutes"] == 2
    assert counts["shifts_unconfirmed"] == 2

    attention = home["attention_topics"]
    assert all(t.area.path.startswith(world.district_a.path) for t in attention)
    assert [t.due_overdue for t in attention] == [True, True, True, True, False]
    assert all(s.venue_id == world.venue_a.pk for s in home["week_sessions"])
    assert all(s.minutes == "" for s in home["sessions_without_minutes"])
    assert all(s.status == ShiftStatus.SCHEDULED for s in home["unconfirmed_shifts"])


def test_a_topic_with_only_a_referral_deadline_is_due(world, office_staff):
    topic = TopicFactory(area=world.community_a, status=TopicStatus.IN_PROGRESS)
    ReferralFactory(topic=topic, department=world.department_a, deadline=today() + 2 * DAY)
    answered = TopicFactory(area=world.community_a, status=TopicStatus.IN_PROGRESS)
    ReferralFactory(
        topic=answered,
        department=world.department_a,
        deadline=today() + 2 * DAY,
        replied_on=today(),
    )
    home = office_home(user=office_staff)
    assert [t.pk for t in home["attention_topics"]] == [topic.pk]
    assert home["attention_topics"][0].due == today() + 2 * DAY
    assert home["counts"]["due_soon"] == 1 and home["counts"]["overdue"] == 0


def test_closed_topics_are_not_counted(world, office_staff):
    TopicFactory(
        area=world.community_a,
        raised_on=today() - 9 * DAY,
        deadline=today() - DAY,
        status=TopicStatus.RESOLVED,
        resolved_on=today(),
    )
    counts = office_home(user=office_staff)["counts"]
    assert counts["overdue"] == counts["due_soon"] == 0


def test_page_shows_counts_and_links(world, office_staff):
    fill(world, 1)
    html = client_for(office_staff).get(reverse("home")).content.decode()
    topics = reverse("topics:list")
    assert f'href="{topics}?overdue=1"' in html
    assert f'href="{topics}?status=raised"' in html
    late = Topic.objects.filter(status=TopicStatus.REFERRED).get()
    assert reverse("topics:detail", args=[late.pk]) in html
    missing = Consultation.objects.get(minutes="")
    assert reverse("topics:consultation_edit", args=[missing.pk]) in html
    assert reverse("platforms:venue_detail", args=[world.venue_a.pk]) in html
    assert "逾期" in html and "待确认值日" in html


def test_empty_states(world, office_staff):
    Topic.objects.all().delete()
    Consultation.objects.all().delete()
    html = client_for(office_staff).get(reverse("home")).content.decode()
    assert "没有逾期或即将到期的议题" in html
    assert "没有等待受理的议题" in html
    assert "值日安排均已确认" in html


def count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["office_staff", "admin_user"])
def test_query_count_is_the_same_for_2_and_20(request, world, who):
    client = client_for(request.getfixturevalue(who))
    fill(world, 2)
    small = count(client)
    fill(world, 18)
    large = count(client)
    assert small == large, f"{small} queries with 2 rows of each, {large} with 20"
    assert large <= 14


def test_swap_requests_count_as_needing_the_office(world, office_staff):
    asked = DutyShiftFactory(
        member=world.member_a,
        venue=world.venue_a,
        date=today() + DAY,
        status=ShiftStatus.SWAP_REQUESTED,
    )
    DutyShiftFactory(
        member=world.member_a,
        venue=world.venue_a,
        date=today() + 2 * DAY,
        status=ShiftStatus.CONFIRMED,
    )
    home = office_home(user=office_staff)
    assert [s.pk for s in home["unconfirmed_shifts"]] == [asked.pk]
    assert home["counts"]["shifts_unconfirmed"] == 1
    assert "申请调班" in client_for(office_staff).get(reverse("home")).content.decode()
