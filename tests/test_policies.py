"""Permission policies (``consult_portal.policies``): "which rows may this user do X to" and "may
they do X to this one" are the same rule, for every registered policy, action, role and row; and
the area-prefix rule of ``Scope`` says the same as a queryset and on one path."""

import pytest

from consult_portal.policies import _REGISTRY, policy_named
from consult_portal.roles import Role, scope_for
from members.models import Duty, Member
from platforms.models import Venue

from .factories import AssignmentFactory, DutyFactory, MemberFactory

USERS = ["admin_user", "office_staff", "other_staff", "leader", "member_user", "resident"]
POLICIES = ["topic", "consultation", "venue", "member", "assignment", "duty", "rota"]


@pytest.fixture
def rows(world):
    """A city member sent down to district A's venue (A's staff see but may not edit them), an
    assignment to an area rather than a venue, and duties in both districts."""
    city_member = MemberFactory(name="市级委员", area=world.city)
    AssignmentFactory(member=city_member, venue=world.venue_a)
    AssignmentFactory(member=world.member_b, venue=None, area=world.district_b)
    DutyFactory(member=world.member_a)
    DutyFactory(member=world.member_b)
    DutyFactory(member=city_member)
    return world


def test_every_policy_is_registered():
    for name in POLICIES:
        assert policy_named(name) is _REGISTRY[name]


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("name", POLICIES)
def test_the_queryset_and_the_single_row_answer_agree(rows, request, who, name):
    user = request.getfixturevalue(who)
    policy = policy_named(name)
    visible = list(policy.model.objects.visible_to(user))
    checked = 0
    for action in policy.actions:
        allowed = set(policy.instances_user_can(user, action).values_list("pk", flat=True))
        assert allowed <= {row.pk for row in visible}
        for row in visible:
            assert policy.user_can(user, action, row) == (row.pk in allowed), (action, row)
            checked += 1
        if not policy.user_can(user, action):
            assert not allowed
    if visible:
        assert checked


def test_roles_and_areas_decide_as_before(rows, office_staff, other_staff, leader, admin_user):
    member = policy_named("member")
    sent_down = Member.objects.get(name="市级委员")
    # District A's office edits its own members, not the city member sent down to it.
    assert member.user_can(office_staff, "change", rows.member_a)
    assert not member.user_can(office_staff, "change", sent_down)
    assert not member.user_can(other_staff, "change", rows.member_a)
    assert not member.user_can(leader, "change", rows.member_a)
    assert member.user_can(admin_user, "change", sent_down)
    # ... but assigns that member at its own venue.
    assignment = policy_named("assignment")
    here = sent_down.assignments.get()
    assert assignment.user_can(office_staff, "change", here)
    # Duties: reviewed by the member's own committee only (Duty.reviewable_by is the same set).
    duty = policy_named("duty")
    for user in (office_staff, other_staff, leader, admin_user):
        assert set(Duty.objects.reviewable_by(user)) == set(duty.instances_user_can(user, "review"))
    assert member.roles_for("change") == (Role.ADMIN, Role.OFFICE)


@pytest.mark.parametrize("who", USERS)
def test_scope_area_rule_is_one_rule(rows, request, who):
    """``Scope.area_q`` (querysets) and ``Scope.covers_path`` (one row) pick the same rows."""
    scope = scope_for(request.getfixturevalue(who))
    for qs, area_of in [
        (Venue.objects.select_related("area"), lambda v: v.area),
        (Member.objects.select_related("area"), lambda m: m.area),
        (Duty.objects.select_related("member__area"), lambda d: d.member.area),
    ]:
        lookup = "member__area" if qs.model is Duty else "area"
        by_q = set(qs.filter(scope.area_q(lookup)))
        by_path = {row for row in qs if scope.covers_path(area_of(row).path)}
        assert by_q == by_path, qs.model
