"""Each list page, detail page and home page issues the same number of queries for 2 rows and 20."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .conftest import client_for
from .factories import (
    AssignmentFactory,
    AttendanceFactory,
    ConsultationFactory,
    DepartmentFactory,
    DutyFactory,
    DutyShiftFactory,
    MemberFactory,
    ReferralFactory,
    TopicFactory,
    VenueFactory,
    make_area,
)

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

# A ceiling per page: the equality below is the real lock; this catches a page that got
# much heavier even when it still scales.
MAX_QUERIES = 15
# The session form fills a choice list per field (venues, hosts, members to add, departments,
# open topics, categories) and reads the recorded attendance, links and attachments.
FORM_MAX_QUERIES = {"topics:consultation_create": 18, "topics:consultation_edit": 18}
# Issue 5 rota: the member home adds colleagues' swap requests, shifts taken over and the duty-day
# attendance (+3); the member file adds duty-day attendance, this year's points (rules, duties,
# attendances, shifts) and the duties' change history (+7 on staff, fewer rows for members).
FORM_MAX_QUERIES |= {"home": 18, "members:detail": 22}
# Bands became yearly data (PointBand): the member home loads the year's bands with the points
# (+1, one query whatever the rows; the member file's +1 still fits under its ceiling).
FORM_MAX_QUERIES |= {"home": 19}
# The member home also counts the member's own duty reports still with the office (+1).
FORM_MAX_QUERIES |= {"home": 20}
# Issue 15: the points read the adoptions of the member's 社情民意 (proposals.points, a point
# source: one query whatever the rows) on the member home and the member file (+1 each).
FORM_MAX_QUERIES |= {"home": 21, "members:detail": 23}
# Issue 14 and 16: the topic page reads its 回访 and 跟踪问效 records, the referrals' extension
# requests, the agendas it is on, the similar open topics (pairs, candidates), the residents'
# photos, the units it may be referred to and the outcomes drawn from it: one query each,
# whatever the rows.
FORM_MAX_QUERIES |= {"topics:detail": 21}


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow(world, n: int) -> None:
    """Add ``n`` more of everything in district A (and of what hangs off topic_a and session_a)."""
    start = world.member_a.duty_shifts.count()
    for i in range(start, start + n):
        community = make_area(f"新建社区{i}", 5, world.subdistrict_a)
        venue = VenueFactory(area=community)
        member = MemberFactory(area=world.district_a)
        AssignmentFactory(member=member, venue=world.venue_a)
        AssignmentFactory(member=member, venue=venue)
        topic = TopicFactory(
            area=community,
            venue=world.venue_a,
            deadline=timezone.localdate() + datetime.timedelta(days=3),
        )
        session = ConsultationFactory(venue=world.venue_a, host=member)
        AttendanceFactory(consultation=session, member=member)
        AttendanceFactory(consultation=world.session_a, member=member)
        session.topics.add(topic)
        world.session_a.topics.add(topic)
        department = DepartmentFactory(area=world.district_a)
        world.session_a.departments.add(department)
        ReferralFactory(
            topic=world.topic_a,
            department=department,
            role="assist" if world.topic_a.referrals.exists() else "lead",
        )
        DutyFactory(member=world.member_a, title=f"调研{i}")
        DutyShiftFactory(
            member=world.member_a,
            venue=world.venue_a,
            date=timezone.localdate() + datetime.timedelta(days=i + 1),
        )


PAGES = [
    ("office_staff", "home", None),
    ("member_user", "home", None),
    ("office_staff", "topics:list", None),
    ("office_staff", "topics:consultation_list", None),
    ("office_staff", "platforms:venue_list", None),
    ("office_staff", "members:list", None),
    ("office_staff", "topics:detail", "topic_a"),
    ("office_staff", "topics:consultation_detail", "session_a"),
    ("office_staff", "platforms:venue_detail", "venue_a"),
    ("office_staff", "members:detail", "member_a"),
    # issue 4: the department list, the session form and history, the city leader's topic list
    ("office_staff", "topics:department_list", None),
    ("office_staff", "topics:consultation_create", None),
    ("office_staff", "topics:consultation_edit", "session_a"),
    ("office_staff", "topics:consultation_history", "session_a"),
    ("leader", "topics:list", None),
]


@pytest.mark.parametrize(("role", "name", "obj"), PAGES)
def test_query_count_does_not_grow_with_rows(request, world, role, name, obj):
    user = request.getfixturevalue(role)
    client = client_for(user)
    url = reverse(name, args=[getattr(world, obj).pk] if obj else [])

    grow(world, 1)  # 2 rows of everything
    small = count_queries(client, url)
    grow(world, 18)  # 20 rows of everything
    large = count_queries(client, url)

    assert small == large, f"{name}: {small} queries with 2 rows, {large} with 20"
    assert large <= FORM_MAX_QUERIES.get(name, MAX_QUERIES), f"{name}: {large} queries"


# Leadership dashboard (issue 6): the leader's "/" is the overview of their area. grow() adds a
# community (a child) under subdistrict_a each time, so the ranking there has 2 rows, then 20.
DASHBOARD_MAX_QUERIES = 30


@pytest.mark.parametrize("role", ["leader", "district_leader"])
def test_dashboard_overview_query_count_does_not_grow_with_children(request, world, role):
    client = client_for(request.getfixturevalue(role))
    url = reverse("dashboards:overview", args=[f"a{world.subdistrict_a.pk}"])
    grow(world, 1)
    small = count_queries(client, url)
    grow(world, 18)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert len(response.context["rows"]) == 20
    assert small == len(ctx.captured_queries) <= DASHBOARD_MAX_QUERIES, small
