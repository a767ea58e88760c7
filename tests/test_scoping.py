"""One scoping rule per model: own area and below; members see their own venues; admins all."""

import pytest
from django.urls import reverse

from members.models import Assignment, Duty, DutyShift, Member
from platforms.models import Area, Venue
from topics.models import Consultation, Department, Topic

from .conftest import client_for
from .factories import AssignmentFactory, DutyFactory, DutyShiftFactory, MemberFactory

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]


def names(qs, attr="pk"):
    return set(qs.values_list(attr, flat=True))


@pytest.fixture
def extras(world):
    DutyShiftFactory(member=world.member_a, venue=world.venue_a)
    DutyShiftFactory(member=world.member_b, venue=world.venue_b)
    DutyFactory(member=world.member_a)
    DutyFactory(member=world.member_b)


def test_office_staff_see_their_district_only(world, extras, office_staff):
    u = office_staff
    assert names(Venue.objects.visible_to(u)) == {world.venue_a.pk}
    assert names(Member.objects.visible_to(u)) == {world.member_a.pk}
    assert names(Topic.objects.visible_to(u)) == {world.topic_a.pk}
    assert names(Consultation.objects.visible_to(u)) == {world.session_a.pk}
    assert names(Department.objects.visible_to(u)) == {world.department_a.pk}
    assert names(Assignment.objects.visible_to(u), "member_id") == {world.member_a.pk}
    assert names(DutyShift.objects.visible_to(u), "member_id") == {world.member_a.pk}
    assert names(Duty.objects.visible_to(u), "member_id") == {world.member_a.pk}
    assert names(Area.objects.visible_to(u), "name") == {"西陵区", "学院街道", "桃花岭社区"}


def test_city_leader_sees_both_districts(world, extras, leader):
    assert names(Topic.objects.visible_to(leader)) == {world.topic_a.pk, world.topic_b.pk}
    assert names(Venue.objects.visible_to(leader)) == {world.venue_a.pk, world.venue_b.pk}
    assert Area.objects.visible_to(leader).count() == 7


def test_a_member_of_another_committee_assigned_here_is_visible(world, office_staff):
    """A city-level member sent down to a venue in district A shows up for district A's staff."""
    city_member = MemberFactory(name="赵城", area=world.city, committee_level="city")
    assert city_member not in Member.objects.visible_to(office_staff)
    AssignmentFactory(member=city_member, venue=world.venue_a)
    assert city_member in Member.objects.visible_to(office_staff)
    # Liaison groups (街道联络委) count too.
    other = MemberFactory(name="钱街", area=world.city, committee_level="city")
    AssignmentFactory(member=other, venue=None, area=world.subdistrict_a)
    assert other in Member.objects.visible_to(office_staff)


def test_member_sees_own_record_and_assigned_venues(world, extras, member_user):
    u = member_user
    assert names(Member.objects.visible_to(u)) == {world.member_a.pk}
    assert names(Venue.objects.visible_to(u)) == {world.venue_a.pk}
    assert names(Topic.objects.visible_to(u)) == {world.topic_a.pk}
    assert names(Consultation.objects.visible_to(u)) == {world.session_a.pk}
    assert names(DutyShift.objects.visible_to(u), "member_id") == {world.member_a.pk}
    assert not Department.objects.visible_to(u).exists()


def test_ended_assignment_no_longer_opens_the_venue(world, member_user):
    Assignment.objects.filter(member=world.member_a).update(
        started_on="2020-01-01", ended_on="2020-12-31"
    )
    member_user = type(member_user).objects.get(
        pk=member_user.pk
    )  # fresh: scope is cached per object
    assert not Venue.objects.visible_to(member_user).exists()


def test_anonymous_and_roleless_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    nobody = django_user_model.objects.create_user("nobody", password="x")
    for user in (AnonymousUser(), nobody):
        assert not Topic.objects.visible_to(user).exists()
        assert not Venue.objects.visible_to(user).exists()
        assert not Member.objects.visible_to(user).exists()


def test_admin_changelist_is_scoped_for_office_staff(world, office_staff):
    office_staff.is_staff = True
    office_staff.save(update_fields=["is_staff"])
    client = client_for(office_staff)
    response = client.get(reverse("admin:topics_topic_changelist"))
    assert response.status_code == 200
    assert world.topic_a.title in response.text
    assert world.topic_b.title not in response.text
    other = client.get(reverse("admin:topics_topic_change", args=[world.topic_b.pk]))
    assert other.status_code == 302  # admin's "doesn't exist" redirect to its index
    own = client.get(reverse("admin:topics_topic_change", args=[world.topic_a.pk]))
    assert own.status_code == 200
