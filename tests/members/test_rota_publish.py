"""Duty rota, the missing parts of issue 5 item 2: draft and publish, adjusting the month grid,
swaps taken by a colleague or approved by staff, attendance marks and what they do to the
duty-day attendance rate and points."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consult_portal import roles
from members.models import CalendarFeed, DutyShift, RotaMonth, ShiftStatus
from members.points import member_points
from members.rota import rota_generate, rota_publish, shift_mark, shift_take
from members.selectors import shift_summary
from tests.conftest import client_for
from tests.factories import AssignmentFactory, DutyShiftFactory, MemberFactory, UserFactory


def _next_month() -> tuple[int, int]:
    today = timezone.localdate()
    return (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)


YEAR, MONTH = _next_month()  # every shift lies ahead, so members' pages list them


def _grid(venue, year=YEAR, month=MONTH) -> str:
    return reverse("members:rota", args=[venue.pk, year, month])


def _day(weekday: int, year=YEAR, month=MONTH) -> datetime.date:
    """The first day of the month falling on ``weekday`` (0 = Monday)."""
    day = datetime.date(year, month, 1)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def colleague(world):
    """张三: a second member of venue_a with an account (user ``member_c``)."""
    user = UserFactory(username="member_c", groups=[roles.GROUP_MEMBER])
    member = MemberFactory(name="张三", area=world.district_a, user=user)
    AssignmentFactory(member=member, venue=world.venue_a)
    return member


# --- Draft and publish ---


def test_generated_month_is_a_draft_members_do_not_see(world, office_staff, member_user):
    rota_generate(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    shift = DutyShift.objects.filter(member=world.member_a).order_by("date").first()
    assert shift.status == ShiftStatus.DRAFT
    client = client_for(member_user)

    home = client.get(reverse("home")).content.decode()
    assert "暂无排班" in home
    assert reverse("members:shift_confirm", args=[shift.pk]) not in home
    venue_page = client.get(reverse("platforms:venue_detail", args=[world.venue_a.pk]))
    assert f"{shift.date:%Y-%m-%d}" not in venue_page.content.decode()
    client.post(reverse("calendar:regenerate"))
    feed = CalendarFeed.objects.get(user=member_user, revoked_at__isnull=True)
    ics = client.get(reverse("calendar:ics", args=[feed.token])).content.decode()
    assert f"shift-{shift.pk}@" not in ics
    # A draft cannot be confirmed by URL either.
    assert client.post(reverse("members:shift_confirm", args=[shift.pk])).status_code == 404
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.DRAFT

    # Published: the same member now sees and answers it.
    response = client_for(office_staff).post(_grid(world.venue_a), {"action": "publish"})
    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.SCHEDULED
    home = client.get(reverse("home")).content.decode()
    assert reverse("members:shift_confirm", args=[shift.pk]) in home
    ics = client.get(reverse("calendar:ics", args=[feed.token])).content.decode()
    assert f"shift-{shift.pk}@" in ics


def test_publish_is_logged_and_happens_once(world, office_staff):
    rota_generate(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    before = timezone.now()
    published = rota_publish(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    assert published.published_by == office_staff
    assert published.published_at >= before
    assert published.month == datetime.date(YEAR, MONTH, 1)
    assert not DutyShift.objects.filter(status=ShiftStatus.DRAFT).exists()
    with pytest.raises(ValidationError, match="已经发布"):
        rota_publish(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    page = client_for(office_staff).get(_grid(world.venue_a)).content.decode()
    who = office_staff.get_full_name() or office_staff.username
    assert "已发布" in page and f"由 {who} 发布" in page
    assert 'value="publish"' not in page and 'value="generate"' not in page


def test_publish_needs_shifts(world, office_staff):
    with pytest.raises(ValidationError, match="还没有班次"):
        rota_publish(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    assert not RotaMonth.objects.exists()


def test_regenerating_a_published_month_is_refused_and_keeps_confirmed(
    world, office_staff, member_user
):
    rota_generate(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    rota_publish(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    shift = DutyShift.objects.filter(member=world.member_a).order_by("date").first()
    client_for(member_user).post(reverse("members:shift_confirm", args=[shift.pk]))
    count = DutyShift.objects.count()
    for replace in (False, True):
        with pytest.raises(ValidationError, match="已发布"):
            rota_generate(
                actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH, replace=replace
            )
    response = client_for(office_staff).post(
        _grid(world.venue_a), {"action": "generate", "replace": "1"}, follow=True
    )
    assert "不能重新生成" in response.content.decode()
    assert DutyShift.objects.count() == count
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.CONFIRMED


def test_draft_regenerate_with_replace_redraws_the_drafts(world, office_staff, colleague):
    rota_generate(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    ids = set(DutyShift.objects.values_list("pk", flat=True))
    rota_generate(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH, replace=True)
    assert DutyShift.objects.count() == len(ids)
    assert not ids & set(DutyShift.objects.values_list("pk", flat=True))


# --- Adjusting the grid ---


def test_grid_reassign_add_remove(world, office_staff, colleague):
    monday = _day(0)
    shift = DutyShiftFactory(
        member=world.member_a, venue=world.venue_a, date=monday, status=ShiftStatus.DRAFT
    )
    client = client_for(office_staff)
    response = client.post(
        _grid(world.venue_a),
        {"action": "reassign", "shift": shift.pk, "member": colleague.pk},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#day-{monday}")
    shift.refresh_from_db()
    assert shift.member == colleague and shift.status == ShiftStatus.DRAFT
    assert shift.history.first().history_user == office_staff

    tuesday = monday + datetime.timedelta(days=1)
    client.post(
        _grid(world.venue_a),
        {"action": "add", "date": f"{tuesday}", "member": world.member_a.pk, "slot": "am"},
    )
    added = DutyShift.objects.get(date=tuesday)
    assert (added.member, added.slot, added.status) == (world.member_a, "am", ShiftStatus.DRAFT)

    client.post(_grid(world.venue_a), {"action": "remove", "shift": added.pk})
    assert not DutyShift.objects.filter(pk=added.pk).exists()
    assert DutyShift.history.filter(id=added.pk, history_type="-").get().history_user == (
        office_staff
    )


def test_grid_add_in_a_published_month_is_scheduled_at_once(world, office_staff, colleague):
    DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=_day(0))
    RotaMonth.objects.create(
        venue=world.venue_a,
        month=datetime.date(YEAR, MONTH, 1),
        published_at=timezone.now(),
        published_by=office_staff,
    )
    client_for(office_staff).post(
        _grid(world.venue_a),
        {"action": "add", "date": f"{_day(1)}", "member": colleague.pk, "slot": "day"},
    )
    assert DutyShift.objects.get(member=colleague).status == ShiftStatus.SCHEDULED


def _post_error(client, venue, data) -> str:
    response = client.post(_grid(venue), data)
    assert response.status_code == 400
    return response.content.decode()


def test_grid_validation_messages_next_to_the_cell(world, office_staff, colleague):
    client = client_for(office_staff)
    monday, tuesday = _day(0), _day(1)
    DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=monday)
    cell = f'id="err-add-{monday}"'

    # Twice on one day (even at another venue of the area).
    page = _post_error(
        client,
        world.venue_a,
        {"action": "add", "date": f"{monday}", "member": world.member_a.pk, "slot": "pm"},
    )
    assert cell in page and "同一天不能排两次" in page
    # The member typed stays selected.
    assert f'<option value="{world.member_a.pk}" selected>' in page

    # Not assigned to the venue: a district member without an assignment here.
    stranger = MemberFactory(name="外人", area=world.district_a)
    page = _post_error(
        client,
        world.venue_a,
        {"action": "add", "date": f"{tuesday}", "member": stranger.pk, "slot": "day"},
    )
    assert f'id="err-add-{tuesday}"' in page and "没有下沉到桃花岭协商驿站" in page

    # An unavailable weekday is a warning staff may override.
    colleague.unavailable_weekdays = "1"
    colleague.save()
    data = {"action": "add", "date": f"{tuesday}", "member": colleague.pk, "slot": "day"}
    page = _post_error(client, world.venue_a, data)
    assert "标注周二不便值班" in page and 'name="override"' in page
    assert not DutyShift.objects.filter(member=colleague).exists()
    assert client.post(_grid(world.venue_a), {**data, "override": "1"}).status_code == 302
    assert DutyShift.objects.filter(member=colleague, date=tuesday).exists()

    # A date outside the month shown.
    outside = datetime.date(YEAR, MONTH, 1) - datetime.timedelta(days=1)
    page = _post_error(
        client,
        world.venue_a,
        {"action": "add", "date": f"{outside}", "member": world.member_a.pk, "slot": "day"},
    )
    assert 'id="rota-error"' in page and f"日期须在{YEAR}年{MONTH}月之内" in page
    assert not DutyShift.objects.filter(date=outside).exists()


def test_grid_reassign_validation_and_marked_shift_kept(world, office_staff, colleague):
    client = client_for(office_staff)
    monday = _day(0)
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=monday)
    DutyShiftFactory(member=colleague, venue=world.venue_a, date=monday, slot="am")
    page = _post_error(
        client, world.venue_a, {"action": "reassign", "shift": shift.pk, "member": colleague.pk}
    )
    assert f'id="err-shift-{shift.pk}"' in page and "同一天不能排两次" in page
    shift.refresh_from_db()
    assert shift.member == world.member_a


def test_staff_approve_swap_by_choosing_replacement(world, office_staff, member_user, colleague):
    day = timezone.localdate() + datetime.timedelta(days=2)  # inside the office home's window
    shift = DutyShiftFactory(
        member=world.member_a, venue=world.venue_a, date=day, status="swap_requested"
    )
    grid = _grid(world.venue_a, day.year, day.month)
    home = client_for(office_staff).get(reverse("home")).content.decode()
    assert f"{grid}#shift-{shift.pk}" in home  # 安排替班 leads to the cell
    page = client_for(office_staff).get(grid).content.decode()
    assert "批准调班" in page
    client_for(office_staff).post(
        grid, {"action": "reassign", "shift": shift.pk, "member": colleague.pk}
    )
    shift.refresh_from_db()
    assert shift.member == colleague
    assert shift.swapped_from == world.member_a
    assert shift.status == ShiftStatus.SCHEDULED  # the replacement confirms it
    assert shift.history.first().history_user == office_staff
    # The original member's shift no longer counts as theirs.
    assert not DutyShift.objects.filter(member=world.member_a).exists()


# --- Swaps taken by a colleague ---


def test_colleague_takes_over_a_swap(world, member_user, colleague):
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=_day(3))
    client_for(member_user).post(
        reverse("members:shift_decline", args=[shift.pk]), {"reason": "出差"}
    )
    b = client_for(colleague.user)
    home = b.get(reverse("home")).content.decode()
    take_url = reverse("members:shift_take", args=[shift.pk])
    assert "我来替班" in home and take_url in home
    response = b.post(take_url, follow=True)
    assert "已替班" in response.content.decode()
    shift.refresh_from_db()
    assert (shift.member, shift.status, shift.swapped_from) == (
        colleague,
        ShiftStatus.CONFIRMED,
        world.member_a,
    )
    steps = list(shift.history.order_by("history_id").values_list("status", "history_user"))
    assert steps[-2:] == [
        (ShiftStatus.SWAP_REQUESTED, member_user.pk),
        (ShiftStatus.CONFIRMED, colleague.user.pk),
    ]
    # Both see it: B among their shifts, A as taken over by B.
    assert f"{shift.date.month}月{shift.date.day}日" in b.get(reverse("home")).content.decode()
    a_home = client_for(member_user).get(reverse("home")).content.decode()
    assert "已由 张三 替班" in a_home
    # Nobody can take it twice.
    assert b.post(take_url, follow=True).status_code == 200
    with pytest.raises(ValidationError, match="已有人替班"):
        shift_take(actor=colleague.user, shift=shift)


def test_take_refused_for_own_shift_and_404_for_another_venue(world, member_user, colleague):
    shift = DutyShiftFactory(
        member=world.member_a, venue=world.venue_a, date=_day(3), status="swap_requested"
    )
    response = client_for(member_user).post(
        reverse("members:shift_take", args=[shift.pk]), follow=True
    )
    assert "不能替自己的班" in response.content.decode()
    shift.refresh_from_db()
    assert (shift.member, shift.status) == (world.member_a, ShiftStatus.SWAP_REQUESTED)

    # 王芳 serves venue_b only: venue_a's request is not hers to see.
    user_b = UserFactory(username="member_b", groups=[roles.GROUP_MEMBER])
    world.member_b.user = user_b
    world.member_b.save()
    assert client_for(user_b).post(reverse("members:shift_take", args=[shift.pk])).status_code == (
        404
    )
    assert "我来替班" not in client_for(user_b).get(reverse("home")).content.decode()
    shift.refresh_from_db()
    assert shift.member == world.member_a


def test_take_refused_when_already_on_duty_that_day(world, colleague):
    day = _day(3)
    shift = DutyShiftFactory(
        member=world.member_a, venue=world.venue_a, date=day, status="swap_requested"
    )
    DutyShiftFactory(member=colleague, venue=world.venue_a, date=day, slot="am")
    with pytest.raises(ValidationError, match="同一天不能再替班"):
        shift_take(actor=colleague.user, shift=shift)


def test_staff_cannot_use_take(world, office_staff):
    shift = DutyShiftFactory(
        member=world.member_a, venue=world.venue_a, date=_day(3), status="swap_requested"
    )
    response = client_for(office_staff).post(reverse("members:shift_take", args=[shift.pk]))
    assert response.status_code == 403


# --- Attendance marks, attendance rate and points ---


@pytest.fixture
def past_shifts(world):
    """Four published shifts of 李明 in the last four days and one draft yesterday elsewhere."""
    today = timezone.localdate()
    return [
        DutyShiftFactory(
            member=world.member_a,
            venue=world.venue_a,
            date=today - datetime.timedelta(days=n),
            status=ShiftStatus.CONFIRMED,
        )
        for n in (1, 2, 3, 4)
    ]


def test_marks_feed_attendance_rate_and_points(world, office_staff, past_shifts, member_user):
    for shift, attended in zip(past_shifts, (True, True, True, False), strict=True):
        shift_mark(actor=office_staff, shift=shift, attended=attended)
    # Hand-computed: 3 attended of 4 marked = 75.0 %; duty-day points 3 × 2 = 6 (default rule).
    summary = shift_summary(member=world.member_a)
    assert (summary["done"], summary["missed"], summary["rate"]) == (3, 1, 75.0)

    # A draft shift of the same member on a past day counts nowhere.
    DutyShiftFactory(
        member=world.member_a,
        venue=world.venue_a,
        date=timezone.localdate() - datetime.timedelta(days=5),
        status=ShiftStatus.DRAFT,
    )
    by_year: dict[int, int] = {}
    for shift in past_shifts[:3]:
        by_year[shift.date.year] = by_year.get(shift.date.year, 0) + 1
    for year, done in by_year.items():
        points = member_points([world.member_a], year)[world.member_a.pk].by_kind()
        assert points["duty_day"].count == done
        assert points["duty_day"].points == 2 * done

    page = client_for(office_staff).get(reverse("members:detail", args=[world.member_a.pk]))
    html = page.content.decode()
    assert "已到 3 次 · 缺勤 1 次 · 到岗率 75.0%" in html
    home = client_for(member_user).get(reverse("home")).content.decode()
    assert "已到 3 次 · 缺勤 1 次 · 到岗率 75.0%" in home


def test_missed_shift_earns_no_points(world, office_staff):
    year = timezone.localdate().year
    day = datetime.date(year, 1, 5)
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=day)
    shift_mark(actor=office_staff, shift=shift, attended=True)
    assert member_points([world.member_a], year)[world.member_a.pk].by_kind()[
        "duty_day"
    ].points == (2)
    shift_mark(actor=office_staff, shift=shift, attended=False)  # corrected: missed
    points = member_points([world.member_a], year)[world.member_a.pk].by_kind()["duty_day"]
    assert (points.count, points.points) == (0, 0)


def test_mark_refused_before_the_day_and_on_drafts(world, office_staff):
    future = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=_day(0))
    with pytest.raises(ValidationError, match="日期未到"):
        shift_mark(actor=office_staff, shift=future, attended=True)
    draft = DutyShiftFactory(
        member=world.member_a,
        venue=world.venue_a,
        date=timezone.localdate() - datetime.timedelta(days=1),
        status=ShiftStatus.DRAFT,
    )
    with pytest.raises(ValidationError, match="草稿"):
        shift_mark(actor=office_staff, shift=draft, attended=True)


def test_mark_through_the_grid(world, office_staff, past_shifts):
    shift = past_shifts[0]
    client = client_for(office_staff)
    url = _grid(world.venue_a, shift.date.year, shift.date.month)
    assert "缺勤" in client.get(url).content.decode()
    client.post(url, {"action": "mark", "shift": shift.pk, "attended": "0"})
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.MISSED
    # A marked shift keeps its member: no reassign, no removal.
    client.post(url, {"action": "remove", "shift": shift.pk})
    assert DutyShift.objects.filter(pk=shift.pk).exists()


# --- Permissions ---


@pytest.mark.parametrize("who", ["member_user", "leader", "district_leader"])
def test_members_and_leaders_cannot_edit_the_grid(world, who, request):
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=_day(0))
    client = client_for(request.getfixturevalue(who))
    for data in (
        {"action": "publish"},
        {"action": "remove", "shift": shift.pk},
        {"action": "reassign", "shift": shift.pk, "member": world.member_a.pk},
    ):
        assert client.post(_grid(world.venue_a), data).status_code == 403
    assert DutyShift.objects.filter(pk=shift.pk).exists()
    assert not RotaMonth.objects.exists()


def test_other_district_staff_get_404(world, other_staff, office_staff):
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=_day(0))
    client = client_for(other_staff)
    assert client.post(_grid(world.venue_a), {"action": "publish"}).status_code == 404
    assert (
        client.post(_grid(world.venue_a), {"action": "remove", "shift": shift.pk}).status_code
        == 404
    )
    # Nor can a shift of another venue be reached through one's own venue's grid.
    assert (
        client.post(_grid(world.venue_b), {"action": "remove", "shift": shift.pk}).status_code
        == 404
    )
    # And district A's staff cannot name district B's member.
    page = _post_error(
        client_for(office_staff),
        world.venue_a,
        {"action": "reassign", "shift": shift.pk, "member": world.member_b.pk},
    )
    assert "请从列表中选择委员" in page
    assert DutyShift.objects.filter(pk=shift.pk, member=world.member_a).exists()


def test_rota_grid_query_count_same_for_2_and_20_members(world, office_staff):
    def grow(n):
        for i in range(n):
            member = MemberFactory(name=f"委员{DutyShift.objects.count()}", area=world.district_a)
            AssignmentFactory(member=member, venue=world.venue_a)
            shift = DutyShiftFactory(
                member=member, venue=world.venue_a, date=_day(0) + (datetime.timedelta(days=i % 4))
            )
            shift.note = "调整"
            shift.save()

    client = client_for(office_staff)
    grow(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_grid(world.venue_a)).status_code == 200
    grow(19)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_grid(world.venue_a))
    assert response.content.decode().count('name="action" value="reassign"') == 20
    assert len(many) == len(few)


def test_grid_keeps_a_shifts_member_selected_after_their_assignment_ended(world, office_staff):
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=_day(0))
    world.member_a.assignments.update(ended_on=timezone.localdate())
    page = client_for(office_staff).get(_grid(world.venue_a)).content.decode()
    # Not on the month's rota any more, yet the shift's select still names them, so pressing
    # 换人 by mistake cannot hand the shift to someone else.
    assert f'<option value="{world.member_a.pk}" selected>李明</option>' in page
    assert f'id="m-{shift.pk}"' in page


# --- Regenerating an unpublished month keeps what members can already see ---


def test_draft_regenerate_with_replace_keeps_shifts_members_can_see(
    world, office_staff, member_user, colleague
):
    """A month without a RotaMonth row may still hold 已排班 shifts (hand-made or older data)
    that members see on their home page: "覆盖本月的草稿班次" must keep them, not delete them
    without a word to anyone."""
    monday, tuesday = _day(0), _day(1)
    visible = DutyShiftFactory(
        member=world.member_a, venue=world.venue_a, date=monday, status=ShiftStatus.SCHEDULED
    )
    draft = DutyShiftFactory(
        member=colleague, venue=world.venue_a, date=tuesday, status=ShiftStatus.DRAFT
    )
    assert not RotaMonth.objects.exists()
    home = client_for(member_user).get(reverse("home")).content.decode()
    assert reverse("members:shift_confirm", args=[visible.pk]) in home  # the member sees it

    response = client_for(office_staff).post(
        _grid(world.venue_a), {"action": "generate", "replace": "1"}, follow=True
    )
    page = response.content.decode()
    visible.refresh_from_db()
    assert (visible.member, visible.date, visible.status) == (
        world.member_a,
        monday,
        ShiftStatus.SCHEDULED,
    )
    assert not DutyShift.objects.filter(pk=draft.pk).exists()  # the draft was redrawn
    # The new draft fills the rest of the month around the kept shift: one shift on its day.
    assert DutyShift.objects.filter(venue=world.venue_a, date=monday).count() == 1
    assert DutyShift.objects.filter(venue=world.venue_a, date=tuesday).count() == 1
    # Staff are told which days were kept and why.
    assert "委员已能看到" in page and f"{monday:%-m月%-d日}" in page


def test_rota_page_names_the_publisher_by_display_name(world, office_staff, django_user_model):
    """The page says who published by the name the history shows, not the login name."""
    office_staff.profile.display_name = "王芳"
    office_staff.profile.save()
    rota_generate(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    rota_publish(actor=office_staff, venue=world.venue_a, year=YEAR, month=MONTH)
    client = client_for(office_staff)
    page = client.get(_grid(world.venue_a)).content.decode()
    assert "由 王芳 发布" in page and "由 staff_a 发布" not in page

    # Without a display name: the full name, else the login name.
    office_staff.profile.display_name = ""
    office_staff.profile.save()
    office_staff.first_name, office_staff.last_name = "芳", "李"
    office_staff.save()
    page = client.get(_grid(world.venue_a)).content.decode()
    assert f"由 {office_staff.get_full_name()} 发布" in page
    # An account without a profile (a superuser) falls back to the username.
    admin = django_user_model.objects.create_superuser("root", password="x")
    RotaMonth.objects.update(published_by=admin)
    page = client.get(_grid(world.venue_a)).content.decode()
    assert "由 root 发布" in page


def test_refused_cell_change_is_summarised_at_the_top_with_a_link(world, office_staff, colleague):
    monday = _day(0)
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=monday)
    DutyShiftFactory(member=colleague, venue=world.venue_a, date=monday, slot="am")
    client = client_for(office_staff)
    page = _post_error(
        client, world.venue_a, {"action": "reassign", "shift": shift.pk, "member": colleague.pk}
    )
    summary = page.split('id="rota-error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'href="#shift-{shift.pk}"' in summary and "同一天不能排两次" in summary
    assert f"{monday.month}月{monday.day}日" in summary
    # Every cell form posts to its own fragment, so the browser lands on the refused cell.
    assert f'action="#shift-{shift.pk}"' in page and f'action="#adding-{monday}"' in page
    page = _post_error(
        client,
        world.venue_a,
        {"action": "add", "date": f"{monday}", "member": colleague.pk, "slot": "pm"},
    )
    assert f'href="#adding-{monday}"' in page and f'id="adding-{monday}" open' in page
    # Refusals shown as messages at the top send the browser to the top, not to a stale day.
    response = client.post(_grid(world.venue_a), {"action": "mark", "shift": shift.pk})
    assert response["Location"].endswith("#main")
