"""Issue 5: the member's phone home issues the same number of queries with 2 assignments and 20
(each with a venue, a duty shift, an upcoming session and an open topic)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from ..conftest import client_for
from ..factories import (
    AssignmentFactory,
    ConsultationFactory,
    DutyShiftFactory,
    TopicFactory,
    VenueFactory,
    make_area,
)
from ..test_query_counts import count_queries


def assign(world, n: int, start: int) -> None:
    today = timezone.localdate()
    for i in range(start, start + n):
        community = make_area(f"委员之家社区{i}", 5, world.subdistrict_a)
        venue = VenueFactory(area=community)
        AssignmentFactory(member=world.member_a, venue=venue)
        DutyShiftFactory(member=world.member_a, venue=venue, date=today + datetime.timedelta(i + 1))
        ConsultationFactory(venue=venue, held_at=timezone.now() + datetime.timedelta(days=i + 1))
        TopicFactory(area=community, venue=venue)


def test_member_home_queries_do_not_grow_with_assignments(world, member_user):
    client = client_for(member_user)
    url = reverse("home")
    assign(world, 1, 0)  # venue_a + 1 = 2 assignments
    small = count_queries(client, url)
    assign(world, 18, 1)  # 20 assignments
    large = count_queries(client, url)
    assert world.member_a.assignments.count() == 20
    assert small == large, f"member home: {small} queries with 2 assignments, {large} with 20"
    newest = world.member_a.assignments.order_by("-pk").first().venue
    assert newest.name in client.get(url).content.decode()
