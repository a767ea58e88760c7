"""Duty rota (issue 5, item 2): planner, generate service, month page, member answers."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import DutyShift, ShiftStatus
from members.rota import month_days, plan_rota, rota_generate
from members.rota_forms import RotaGenerateForm
from tests.conftest import client_for
from tests.factories import AssignmentFactory, DutyShiftFactory, MemberFactory, VenueFactory

YEAR, MONTH = 2030, 3  # 21 weekdays


def test_month_days_are_weekdays_only():
    days = month_days(YEAR, MONTH)
    assert len(days) == 21
    assert all(day.weekday() < 5 and day.month == MONTH for day in days)


def test_plan_spreads_fairly_and_never_twice_a_day():
    days = month_days(YEAR, MONTH)
    plan = plan_rota([1, 2, 3, 4], days, {}, {}, slots=("am", "pm"))
    counts = Counter(member for _d, _s, member in plan)
    assert len(plan) == 42
    assert max(counts.values()) - min(counts.values()) <= 1
    per_day = Counter((day, member) for day, _s, member in plan)
    assert max(per_day.values()) == 1


def test_plan_respects_unavailable_weekdays_and_existing_counts():
    days = month_days(YEAR, MONTH)
    plan = plan_rota([1, 2], days, {1: {0, 4}}, {2: 5})
    assert all(day.weekday() not in (0, 4) for day, _s, member in plan if member == 1)
    # Member 2 already has 5 shifts: member 1 takes the early available days first.
    first_tuesday = next(day for day in days if day.weekday() == 1)
    assert (first_tuesday, "day", 1) in plan


def test_plan_skips_days_busy_elsewhere_and_leaves_unfillable_slots_empty():
    days = month_days(YEAR, MONTH)[:2]
    plan = plan_rota([1], days, {}, {}, busy={(1, days[0])})
    assert plan == [(days[1], "day", 1)]


@pytest.fixture
def rota_world(world):
    """venue_a gets two more members; all three are on the rota."""
    extra = [MemberFactory(name=name, area=world.district_a) for name in ("张三", "赵四")]
    for member in extra:
        AssignmentFactory(member=member, venue=world.venue_a)
    return world


def test_generate_writes_fair_draft_month(rota_world, office_staff):
    shifts = rota_generate(actor=office_staff, venue=rota_world.venue_a, year=YEAR, month=MONTH)
    assert len(shifts) == 21
    rows = DutyShift.objects.filter(venue=rota_world.venue_a)
    assert rows.count() == 21
    assert set(rows.values_list("status", flat=True)) == {ShiftStatus.DRAFT}
    counts = Counter(rows.values_list("member_id", flat=True))
    assert len(counts) == 3 and max(counts.values()) - min(counts.values()) <= 1


def test_generate_respects_unavailability_and_shifts_at_other_venues(rota_world, office_staff):
    member = rota_world.member_a
    member.unavailable_weekdays = "01"
    member.save()
    other_venue = VenueFactory(area=rota_world.venue_a.area)
    wednesday = datetime.date(YEAR, MONTH, 6)
    DutyShiftFactory(member=member, venue=other_venue, date=wednesday)
    rota_generate(actor=office_staff, venue=rota_world.venue_a, year=YEAR, month=MONTH)
    mine = DutyShift.objects.filter(member=member, venue=rota_world.venue_a)
    assert mine.exists()
    assert all(s.date.weekday() not in (0, 1) for s in mine)
    assert not mine.filter(date=wednesday).exists()


def test_generate_refuses_existing_month_unless_replace(rota_world, office_staff):
    venue = rota_world.venue_a
    rota_generate(actor=office_staff, venue=venue, year=YEAR, month=MONTH)
    # A shift answered before (say, added by hand in an earlier published state) stays.
    confirmed = DutyShift.objects.filter(venue=venue).order_by("date").first()
    confirmed.status = ShiftStatus.CONFIRMED
    confirmed.save()
    with pytest.raises(ValidationError):
        rota_generate(actor=office_staff, venue=venue, year=YEAR, month=MONTH)
    assert DutyShift.objects.filter(venue=venue).count() == 21
    rota_generate(actor=office_staff, venue=venue, year=YEAR, month=MONTH, replace=True)
    assert DutyShift.objects.filter(venue=venue).count() == 21
    assert DutyShift.objects.filter(pk=confirmed.pk, status=ShiftStatus.CONFIRMED).exists()
    assert DutyShift.objects.filter(venue=venue, date=confirmed.date).count() == 1


def _rota_url(venue):
    return reverse("members:rota", args=[venue.pk, YEAR, MONTH])


def test_rota_page_shows_month_and_generate_post_works(rota_world, office_staff):
    client = client_for(office_staff)
    response = client.post(_rota_url(rota_world.venue_a))
    assert response.status_code == 302
    assert DutyShift.objects.filter(venue=rota_world.venue_a).count() == 21
    page = client.get(_rota_url(rota_world.venue_a)).content.decode()
    assert "生成排班" in page and "李明" in page and "3月4日" in page
    again = client.post(_rota_url(rota_world.venue_a), follow=True).content.decode()
    assert "已有排班" in again
    assert DutyShift.objects.filter(venue=rota_world.venue_a).count() == 21


def test_rota_page_query_count_does_not_grow(rota_world, office_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(office_staff)
    DutyShiftFactory(
        member=rota_world.member_a, venue=rota_world.venue_a, date=datetime.date(YEAR, MONTH, 4)
    )
    edited = DutyShiftFactory(
        member=rota_world.member_a, venue=rota_world.venue_a, date=datetime.date(YEAR, MONTH, 5)
    )
    edited.note = "改过"  # a version with a predecessor, as the many case has (deletions)
    edited.save()
    with CaptureQueriesContext(connection) as few:
        client.get(_rota_url(rota_world.venue_a))
    DutyShift.objects.all().delete()
    rota_generate(actor=office_staff, venue=rota_world.venue_a, year=YEAR, month=MONTH)
    with CaptureQueriesContext(connection) as many:
        client.get(_rota_url(rota_world.venue_a))
    assert len(many) == len(few)


@pytest.mark.parametrize("who", ["member_user", "leader"])
def test_generate_post_forbidden_for_members_and_leaders(rota_world, who, request):
    user = request.getfixturevalue(who)
    response = client_for(user).post(_rota_url(rota_world.venue_a))
    assert response.status_code == 403
    assert not DutyShift.objects.exists()


def test_generate_post_other_district_404_and_anonymous_login(rota_world, other_staff, client):
    assert client_for(other_staff).post(_rota_url(rota_world.venue_a)).status_code == 404
    response = client.post(_rota_url(rota_world.venue_a))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not DutyShift.objects.exists()


def test_rota_page_bad_month_is_404(rota_world, office_staff):
    url = reverse("members:rota", args=[rota_world.venue_a.pk, YEAR, 13])
    assert client_for(office_staff).get(url).status_code == 404


@pytest.fixture
def own_shift(world):
    return DutyShiftFactory(member=world.member_a, venue=world.venue_a)


def test_member_confirms_and_declines_own_shift(own_shift, member_user):
    client = client_for(member_user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("members:shift_confirm", args=[own_shift.pk]) in home
    assert client.post(reverse("members:shift_confirm", args=[own_shift.pk])).status_code == 302
    own_shift.refresh_from_db()
    assert own_shift.status == ShiftStatus.CONFIRMED
    client.post(reverse("members:shift_decline", args=[own_shift.pk]), {"reason": "出差"})
    own_shift.refresh_from_db()
    assert own_shift.status == ShiftStatus.SWAP_REQUESTED
    assert own_shift.absence_reason == "出差"


def test_member_cannot_answer_someone_elses_shift(world, member_user):
    theirs = DutyShiftFactory(member=world.member_b, venue=world.venue_b)
    client = client_for(member_user)
    for name in ("members:shift_confirm", "members:shift_decline"):
        assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ShiftStatus.SCHEDULED


def test_staff_and_anonymous_cannot_answer_shifts(own_shift, office_staff, leader, client):
    url = reverse("members:shift_confirm", args=[own_shift.pk])
    assert client_for(office_staff).post(url).status_code == 403
    assert client_for(leader).post(url).status_code == 403
    assert "login" in client.post(url)["Location"]
    own_shift.refresh_from_db()
    assert own_shift.status == ShiftStatus.SCHEDULED


def test_member_form_saves_unavailable_weekdays(world, office_staff):
    from members.forms import MemberForm

    form = MemberForm(instance=world.member_a, user=office_staff)
    assert form.initial["unavailable_weekdays"] == []
    world.member_a.unavailable_weekdays = "06"
    form = MemberForm(instance=world.member_a, user=office_staff)
    assert form.initial["unavailable_weekdays"] == ["0", "6"]


# The month page takes three URL arguments, so its access matrix lives here rather than in
# tests/test_permission_matrix.py (whose PAGES take one object).
ROTA_GET = {
    "admin_user": (200, 200),
    "office_staff": (200, 404),
    "district_leader": (200, 404),
    "leader": (200, 200),
    "other_staff": (404, 200),
    "member_user": (403, 403),
}


@pytest.mark.parametrize(("role", "want"), ROTA_GET.items())
def test_rota_page_access(request, world, role, want):
    client = client_for(request.getfixturevalue(role))
    got = (
        client.get(_rota_url(world.venue_a)).status_code,
        client.get(_rota_url(world.venue_b)).status_code,
    )
    assert got == want


def test_rota_page_anonymous_goes_to_login(world, client):
    response = client.get(_rota_url(world.venue_a))
    assert response.status_code == 302 and "login" in response["Location"]


def test_venue_page_links_to_this_months_rota(world, office_staff):
    from django.utils import timezone

    client = client_for(office_staff)
    page = client.get(reverse("platforms:venue_detail", args=[world.venue_a.pk])).content.decode()
    assert reverse("members:rota_current", args=[world.venue_a.pk]) in page
    response = client.get(reverse("members:rota_current", args=[world.venue_a.pk]))
    today = timezone.localdate()
    assert response["Location"] == reverse(
        "members:rota", args=[world.venue_a.pk, today.year, today.month]
    )
    other = reverse("members:rota_current", args=[world.venue_b.pk])
    assert client.get(other).status_code == 404


def test_member_update_saves_unavailable_weekdays(world, office_staff):
    from members.services import member_update

    member_update(actor=office_staff, member=world.member_a, unavailable_weekdays="06")
    world.member_a.refresh_from_db()
    assert world.member_a.unavailable_weekdays == "06"
    page = client_for(office_staff).get(reverse("members:member_edit", args=[world.member_a.pk]))
    html = page.content.decode()
    assert "不便值班的星期" in html and 'value="6"' in html and "checked" in html


# --- Days off (public holidays) staff name when generating ---


def test_generate_skips_the_days_staff_name(rota_world, office_staff):
    """January: without a skip list 元旦 (1 January 2030, a Tuesday) gets a shift; named, it
    stays empty and the other weekdays are still filled."""
    venue = rota_world.venue_a
    new_year = datetime.date(2030, 1, 1)
    rota_generate(actor=office_staff, venue=venue, year=2030, month=1)
    assert DutyShift.objects.filter(venue=venue, date=new_year).exists()
    DutyShift.objects.all().delete()
    shifts = rota_generate(actor=office_staff, venue=venue, year=2030, month=1, skip=[new_year])
    assert not DutyShift.objects.filter(venue=venue, date=new_year).exists()
    assert len(shifts) == len(month_days(2030, 1)) - 1


@pytest.mark.parametrize(
    "text, days",
    [
        ("", []),
        ("1日、2日", [1, 2]),
        ("1月1日,2030-01-03 1/2", [1, 2, 3]),
        ("1, 1", [1]),
    ],
)
def test_generate_form_reads_days_off(text, days):
    form = RotaGenerateForm({"skip": text}, year=2030, month=1)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["skip"] == [datetime.date(2030, 1, d) for d in days]


@pytest.mark.parametrize(
    "text, message",
    [
        ("2月1日", "“2月1日”不在2030年1月之内。"),
        ("1月32日", "“1月32日”不是有效的日期。"),
        ("元旦", "无法识别“元旦”"),
    ],
)
def test_generate_form_refuses_bad_days_off_in_chinese(text, message):
    form = RotaGenerateForm({"skip": text}, year=2030, month=1)
    assert not form.is_valid()
    assert message in form.errors["skip"][0]


def test_generate_post_with_days_off(rota_world, office_staff):
    client = client_for(office_staff)
    url = reverse("members:rota", args=[rota_world.venue_a.pk, 2030, 1])
    response = client.post(url, {"action": "generate", "skip": "1日、元旦"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_skip_error"' in page and "无法识别“元旦”" in page
    assert 'value="1日、元旦"' in page  # what was typed is kept
    assert not DutyShift.objects.exists()

    response = client.post(url, {"action": "generate", "skip": "1日"})
    assert response.status_code == 302
    assert DutyShift.objects.filter(venue=rota_world.venue_a).count() == 22
    assert not DutyShift.objects.filter(date=datetime.date(2030, 1, 1)).exists()


def test_cannot_come_asks_for_confirmation_and_a_reason_shown_to_the_office(
    world, member_user, own_shift, office_staff
):
    """Issue 16: 无法到岗 is a link to a confirmation page; the reason is required, kept when
    refused, stored with the swap request and shown on the office's home page."""
    client = client_for(member_user)
    url = reverse("members:shift_decline", args=[own_shift.pk])
    home = client.get(reverse("home")).content.decode()
    assert f'href="{url}"' in home
    page = client.get(url)
    assert page.status_code == 200 and "确认无法到岗" in page.content.decode()
    own_shift.refresh_from_db()
    assert own_shift.status == ShiftStatus.SCHEDULED  # a GET changes nothing

    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert "请写明无法到岗的原因" in refused.content.decode()
    too_long = client.post(url, {"reason": "长" * 201})
    assert too_long.status_code == 400 and "长" * 201 in too_long.content.decode()
    own_shift.refresh_from_db()
    assert own_shift.status == ShiftStatus.SCHEDULED

    assert client.post(url, {"reason": "单位临时安排出差"}).status_code == 302
    own_shift.refresh_from_db()
    assert (own_shift.status, own_shift.absence_reason) == (
        ShiftStatus.SWAP_REQUESTED,
        "单位临时安排出差",
    )
    office = client_for(office_staff).get(reverse("home")).content.decode()
    assert "申请调班" in office and "原因:单位临时安排出差" in office
