"""A member's month of duty shifts as a calendar (issue 16)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import ShiftStatus
from tests.conftest import client_for
from tests.factories import DutyShiftFactory, VenueFactory

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2027, 3  # March 2027 starts on a Monday: no padding before the 1st


def url(year=YEAR, month=MONTH):
    return reverse("members:my_shifts_month", args=[year, month])


def test_month_grid_marks_the_members_days_and_lists_them(world, member_user):
    DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=datetime.date(2027, 3, 3))
    DutyShiftFactory(
        member=world.member_a,
        venue=world.venue_a,
        date=datetime.date(2027, 3, 17),
        slot="pm",
        status=ShiftStatus.SWAP_REQUESTED,
        absence_reason="出差",
    )
    DutyShiftFactory(member=world.member_b, venue=world.venue_b, date=datetime.date(2027, 3, 5))
    DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=datetime.date(2027, 4, 1))
    DutyShiftFactory(
        member=world.member_a,
        venue=world.venue_a,
        date=datetime.date(2027, 3, 9),
        status=ShiftStatus.DRAFT,  # not published: members never see drafts
    )
    response = client_for(member_user).get(url())
    assert response.status_code == 200
    html = response.content.decode()
    marked = re.findall(r'<a class="day-number" href="#day-([\d-]+)">', html)
    assert marked == ["2027-03-03", "2027-03-17"]
    # Five Monday-first weeks of seven cells for March 2027 (31 days from a Monday).
    assert html.count("<tr>") == 1 + 5
    assert "3月3日(周三)" in html and "原因:出差" in html
    assert world.venue_b.name not in html
    assert "本月值日 1 次" in html


def test_current_month_redirects_and_bad_months_are_404(world, member_user):
    client = client_for(member_user)
    response = client.get(reverse("members:my_shifts"))
    assert response.status_code == 302 and re.search(r"/me/shifts/\d{4}/\d{1,2}/$", response.url)
    assert client.get(url(2027, 13)).status_code == 404
    assert client.get(url(1900, 1)).status_code == 404


def test_only_members_see_the_month(world, office_staff, client):
    assert client_for(office_staff).get(url()).status_code == 403
    assert client.get(url()).status_code == 302  # to the login page


def test_the_month_costs_the_same_queries_for_2_shifts_and_20(world, member_user):
    other_venue = VenueFactory(name="第二驿站", code="xl-009", area=world.community_a)

    def count() -> int:
        client = client_for(member_user)
        client.get(url())  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url()).status_code == 200
        return len(ctx.captured_queries)

    for day in (1, 2):
        DutyShiftFactory(
            member=world.member_a, venue=world.venue_a, date=datetime.date(2027, 3, day)
        )
    two = count()
    for day in range(3, 21):
        venue = other_venue if day % 2 else world.venue_a
        DutyShiftFactory(member=world.member_a, venue=venue, date=datetime.date(2027, 3, day))
    assert count() == two
