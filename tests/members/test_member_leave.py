"""Members' leave (请假): staff record it on the member file, the rota generator skips the member
on those days and the grid refuses to place them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consult_portal.dates import day_label
from members.models import DutyShift, MemberLeave
from members.rota import month_days, rota_generate, shift_add
from tests.conftest import client_for
from tests.factories import AssignmentFactory, MemberFactory


def _next_month() -> tuple[int, int]:
    today = timezone.localdate()
    return (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)


YEAR, MONTH = _next_month()
FIRST = datetime.date(YEAR, MONTH, 1)
LEAVE_END = FIRST + datetime.timedelta(days=13)  # the first two weeks


@pytest.fixture
def colleague(world):
    member = MemberFactory(name="张三", area=world.district_a)
    AssignmentFactory(member=member, venue=world.venue_a)
    return member


def _add_url(member) -> str:
    return reverse("members:leave_add", args=[member.pk])


def test_generator_skips_a_member_on_leave(world, office_staff, colleague):
    MemberLeave.objects.create(member=world.member_a, starts_on=FIRST, ends_on=LEAVE_END)

    rota_generate(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)

    shifts = DutyShift.objects.filter(venue=world.venue_a)
    a_days = set(shifts.filter(member=world.member_a).values_list("date", flat=True))
    assert a_days  # still on duty after the leave
    assert all(day > LEAVE_END for day in a_days)
    # Every weekday of the leave went to the colleague, so no day is left empty.
    leave_weekdays = [d for d in month_days(YEAR, MONTH) if d <= LEAVE_END]
    assert set(shifts.filter(member=colleague).values_list("date", flat=True)) >= set(
        leave_weekdays
    )


def test_grid_refuses_to_place_a_member_on_leave(world, office_staff):
    day = month_days(YEAR, MONTH)[0]
    MemberLeave.objects.create(member=world.member_a, starts_on=day, ends_on=day, reason="出差")

    with pytest.raises(ValidationError) as refused:
        shift_add(
            actor=office_staff,
            venue=world.venue_a,
            year=YEAR,
            month=MONTH,
            day=day,
            member=world.member_a,
            override=True,  # overriding a weekday warning does not override a leave
        )

    assert "请假" in refused.value.message_dict["member"][0]
    assert not DutyShift.objects.filter(member=world.member_a, date=day).exists()


def test_staff_record_a_leave_on_the_member_file(world, office_staff):
    client = client_for(office_staff)
    assert client.get(_add_url(world.member_a)).status_code == 200

    response = client.post(
        _add_url(world.member_a),
        {"starts_on": FIRST.isoformat(), "ends_on": LEAVE_END.isoformat(), "reason": "培训"},
    )

    assert response.status_code == 302
    leave = MemberLeave.objects.get(member=world.member_a)
    assert (leave.starts_on, leave.ends_on, leave.reason, leave.created_by) == (
        FIRST,
        LEAVE_END,
        "培训",
        office_staff,
    )
    page = client.get(reverse("members:detail", args=[world.member_a.pk])).content.decode()
    assert f"{FIRST:%Y-%m-%d} 至 {LEAVE_END:%Y-%m-%d} · 培训" in page


def test_leave_warns_about_shifts_already_held(world, office_staff):
    day = month_days(YEAR, MONTH)[0]
    shift_add(
        actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH, day=day,
        member=world.member_a, override=True,
    )  # fmt: skip
    response = client_for(office_staff).post(
        _add_url(world.member_a),
        {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": ""},
        follow=True,
    )
    held = f"请假期间仍有值班:{day_label(day)}({world.venue_a.name})"
    assert held in response.content.decode()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field", "message"),
    [
        (LEAVE_END, FIRST, "ends_on", "结束日期不能早于开始日期。"),
        (FIRST, FIRST + datetime.timedelta(days=400), "ends_on", "一次请假最长一年"),
        (
            FIRST + datetime.timedelta(days=3),
            FIRST + datetime.timedelta(days=20),
            "starts_on",
            "重叠",
        ),
        ("2026-02-30", LEAVE_END, "starts_on", "有效的日期"),
    ],
)
def test_bad_leave_says_why_next_to_the_field_and_keeps_the_input(
    world, office_staff, starts_on, ends_on, field, message
):
    MemberLeave.objects.create(member=world.member_a, starts_on=FIRST, ends_on=LEAVE_END)
    data = {"starts_on": str(starts_on), "ends_on": str(ends_on), "reason": "家中有事"}

    response = client_for(office_staff).post(_add_url(world.member_a), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert "家中有事" in response.content.decode()
    assert MemberLeave.objects.count() == 1


def test_leave_pages_are_scoped(world, office_staff, other_staff, member_user, leader):
    leave = MemberLeave.objects.create(member=world.member_a, starts_on=FIRST, ends_on=LEAVE_END)
    delete = reverse("members:leave_delete", args=[leave.pk])
    ok = {"starts_on": FIRST.isoformat(), "ends_on": FIRST.isoformat()}

    assert client_for(other_staff).get(_add_url(world.member_a)).status_code == 404
    assert client_for(other_staff).post(delete).status_code == 404
    assert client_for(member_user).post(_add_url(world.member_a), ok).status_code == 403
    assert client_for(leader).post(delete).status_code == 403
    assert MemberLeave.objects.filter(pk=leave.pk).exists()

    response = client_for(office_staff).post(delete)
    assert response.status_code == 302
    assert not MemberLeave.objects.filter(pk=leave.pk).exists()


def test_a_shared_members_leave_is_removed_only_by_the_office_that_recorded_it_or_above(world):
    """A city member sent to both districts: each district's office sees the other's leave on
    the member's file, but only the recording office (or the city's) removes it."""
    from tests.factories import make_staff

    city_member = MemberFactory(name="共享委员", area=world.city)
    AssignmentFactory(member=city_member, venue=world.venue_a)
    AssignmentFactory(member=city_member, venue=world.venue_b)
    staff_a = make_staff(world.district_a, "leave_a")
    staff_b = make_staff(world.district_b, "leave_b")
    city_staff = make_staff(world.city, "leave_city")
    ok = {"starts_on": FIRST.isoformat(), "ends_on": FIRST.isoformat(), "reason": "出差"}

    assert client_for(staff_a).post(_add_url(city_member), ok).status_code == 302
    leave = MemberLeave.objects.get(member=city_member)
    assert leave.area == world.district_a and leave.created_by == staff_a
    delete = reverse("members:leave_delete", args=[leave.pk])

    # District B sees the leave but is offered no 删除, and a forged POST is 404.
    page = client_for(staff_b).get(reverse("members:detail", args=[city_member.pk]))
    assert "出差" in page.content.decode() and delete not in page.content.decode()
    assert client_for(staff_b).post(delete).status_code == 404
    assert MemberLeave.objects.filter(pk=leave.pk).exists()

    # The recording office sees 删除; the office above removes it too.
    page = client_for(staff_a).get(reverse("members:detail", args=[city_member.pk]))
    assert delete in page.content.decode()
    assert client_for(city_staff).post(delete).status_code == 302
    assert not MemberLeave.objects.filter(pk=leave.pk).exists()


def test_the_service_refuses_another_offices_leave(world):
    from django.core.exceptions import PermissionDenied

    from members.services import member_leave_remove
    from tests.factories import make_staff

    leave = MemberLeave.objects.create(
        member=world.member_a, starts_on=FIRST, ends_on=LEAVE_END, area=world.district_a
    )
    with pytest.raises(PermissionDenied, match="只有登记该请假的政协办公室或其上级"):
        member_leave_remove(actor=make_staff(world.district_b, "b2"), leave=leave)
    assert MemberLeave.objects.filter(pk=leave.pk).exists()
