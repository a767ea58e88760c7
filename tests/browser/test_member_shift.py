"""Browser journeys (issue 5, item 2): staff generate and publish a venue's rota, the member
confirms a shift on their home page; a member asks for a swap and a colleague takes it over —
desktop and 390 px wide."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consult_portal import roles
from members.models import DutyShift, ShiftStatus
from tests.factories import AssignmentFactory, DutyShiftFactory, MemberFactory, UserFactory

from .conftest import fits, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_generate_rota_then_member_confirms(live_server, page, office_staff, member_user, world):
    today = timezone.localdate()
    # Next month: every shift of it lies ahead, so the member's home lists them.
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/members/rota/{world.venue_a.pk}/{year}/{month}/")
    page.get_by_role("button", name="生成排班").click()
    expect(page.get_by_text("已生成").first).to_be_visible()
    assert fits(page)
    screenshot(page, f"rota-draft-{page.viewport_name}")
    page.get_by_role("button", name="发布排班").click()
    expect(page.get_by_text("排班已发布").first).to_be_visible()
    assert fits(page)
    screenshot(page, f"rota-{page.viewport_name}")
    assert DutyShift.objects.filter(venue=world.venue_a, status=ShiftStatus.SCHEDULED).exists()

    page.context.clear_cookies()
    login(page, live_server, member_user.username)
    page.get_by_role("button", name="确认值日").first.click()
    expect(page.get_by_text("已确认").first).to_be_visible()
    assert fits(page)
    screenshot(page, f"member-shift-{page.viewport_name}")
    first = DutyShift.objects.filter(member=world.member_a).order_by("date", "slot").first()
    assert first.status == ShiftStatus.CONFIRMED


def test_colleague_takes_over_a_swap(live_server, page, member_user, world):
    """李明 (member A) cannot come; 张三 (member B, same venue) takes the shift from his home."""
    user_b = UserFactory(username="member_c", groups=[roles.GROUP_MEMBER])
    member_b = MemberFactory(name="张三", area=world.district_a, user=user_b)
    AssignmentFactory(member=member_b, venue=world.venue_a)
    shift = DutyShiftFactory(
        member=world.member_a,
        venue=world.venue_a,
        date=timezone.localdate() + datetime.timedelta(days=2),
    )

    login(page, live_server, member_user.username)
    page.get_by_role("link", name="无法到岗").first.click()
    # Issue 16: a confirmation page asks why; an empty reason is refused next to the field.
    expect(page.get_by_role("heading", name="无法到岗")).to_be_visible()
    page.get_by_role("button", name="确认无法到岗").click()
    expect(page.get_by_text("请写明无法到岗的原因")).to_be_visible()
    page.get_by_label("无法到岗的原因").fill("临时出差")
    assert fits(page)
    screenshot(page, f"member-shift-decline-{page.viewport_name}")
    page.get_by_role("button", name="确认无法到岗").click()
    expect(page.get_by_text("已申请调班").first).to_be_visible()
    shift.refresh_from_db()
    assert shift.absence_reason == "临时出差"

    page.context.clear_cookies()
    login(page, live_server, "member_c")
    take = page.get_by_role("button", name="我来替班")
    expect(take).to_be_visible()
    take.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("已替班").first).to_be_visible()
    assert fits(page)
    screenshot(page, f"member-swap-taken-{page.viewport_name}")
    shift.refresh_from_db()
    assert (shift.member_id, shift.status) == (member_b.pk, ShiftStatus.CONFIRMED)

    page.context.clear_cookies()
    login(page, live_server, member_user.username)
    expect(page.get_by_text("已由 张三 替班")).to_be_visible()
    assert fits(page)


def _last_weekday_of_next_month() -> tuple[int, int, datetime.date]:
    today = timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    day = datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)
    while day.weekday() > 4:
        day -= datetime.timedelta(days=1)
    return year, month, day


def test_refused_grid_change_is_shown_where_the_eye_is(live_server, page, office_staff, world):
    """A refused 换人 / 添加 on a day at the bottom of the month: the page lands on the cell with
    its message, and a summary at the top links to that cell."""
    year, month, last = _last_weekday_of_next_month()
    colleague = MemberFactory(name="张三", area=world.district_a)
    AssignmentFactory(member=colleague, venue=world.venue_a)
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=last)
    DutyShiftFactory(member=colleague, venue=world.venue_a, date=last, slot="am")
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/members/rota/{world.venue_a.pk}/{year}/{month}/")

    cell = page.locator(f"#shift-{shift.pk}")
    cell.get_by_label("换成").select_option(label="张三")
    cell.get_by_role("button", name="换人").click()
    error = page.locator(f"#err-shift-{shift.pk}")
    expect(error).to_contain_text("同一天不能排两次")
    expect(error).to_be_in_viewport()
    summary = page.locator("#rota-error-summary")
    expect(summary).to_contain_text("同一天不能排两次")
    link = summary.get_by_role("link", name=f"{last.month}月{last.day}日")
    expect(link).to_have_attribute("href", f"#shift-{shift.pk}")
    assert fits(page)
    screenshot(page, f"rota-error-{page.viewport_name}")
    page.evaluate("window.scrollTo(0, 0)")
    expect(summary).to_be_in_viewport()
    link.click()
    expect(error).to_be_in_viewport()

    # The add form of the same day: refused the same way, and the typed choice stays.
    day = page.locator(f"#day-{last:%Y-%m-%d}")
    day.get_by_text("添加值日").click()
    day.get_by_label("委员").select_option(label="张三")
    day.get_by_role("button", name="添加", exact=True).click()
    add_error = page.locator(f"#err-add-{last:%Y-%m-%d}")
    expect(add_error).to_contain_text("同一天不能排两次")
    expect(add_error).to_be_in_viewport()
    expect(page.locator(f"#add-{last:%Y-%m-%d}")).to_have_value(str(colleague.pk))
    link = page.locator("#rota-error-summary").get_by_role("link")
    expect(link).to_have_attribute("href", f"#adding-{last:%Y-%m-%d}")
    assert DutyShift.objects.filter(member=colleague).count() == 1


def test_member_month_of_shifts_fits_a_phone(live_server, page, member_user, world):
    """Issue 16: the month view is a seven-column grid that fits 390 px, with the list below."""
    today = timezone.localdate()
    first = today.replace(day=1)
    for offset in (0, 9, 20):
        DutyShiftFactory(
            member=world.member_a, venue=world.venue_a, date=first + datetime.timedelta(days=offset)
        )
    login(page, live_server, member_user.username)
    page.get_by_role("link", name="月历").click()
    expect(page.get_by_role("heading", name=f"{today.year}年{today.month}月 值日")).to_be_visible()
    grid = page.get_by_role("table", name=f"{today.year}年{today.month}月值日日历")
    expect(grid.locator("a.day-number")).to_have_count(3)
    assert fits(page)
    box = grid.bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    screenshot(page, f"member-month-{page.viewport_name}")
    grid.locator("a.day-number").first.click()
    expect(page.locator(f"#day-{first.isoformat()}")).to_be_in_viewport()
