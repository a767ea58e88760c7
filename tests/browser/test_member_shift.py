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

from .conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_generate_rota_then_member_confirms(live_server, page, office_staff, member_user, world):
    today = timezone.localdate()
    # Next month: every shift of it lies ahead, so the member's home lists them.
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    _login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/members/rota/{world.venue_a.pk}/{year}/{month}/")
    page.get_by_role("button", name="生成排班").click()
    expect(page.get_by_text("已生成").first).to_be_visible()
    assert _fits(page)
    screenshot(page, f"rota-draft-{page.viewport_name}")
    page.get_by_role("button", name="发布排班").click()
    expect(page.get_by_text("排班已发布").first).to_be_visible()
    assert _fits(page)
    screenshot(page, f"rota-{page.viewport_name}")
    assert DutyShift.objects.filter(venue=world.venue_a, status=ShiftStatus.SCHEDULED).exists()

    page.context.clear_cookies()
    _login(page, live_server, member_user.username)
    page.get_by_role("button", name="确认值日").first.click()
    expect(page.get_by_text("已确认").first).to_be_visible()
    assert _fits(page)
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

    _login(page, live_server, member_user.username)
    page.get_by_role("button", name="无法到岗").first.click()
    expect(page.get_by_text("已申请调班").first).to_be_visible()

    page.context.clear_cookies()
    _login(page, live_server, "member_c")
    take = page.get_by_role("button", name="我来替班")
    expect(take).to_be_visible()
    take.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("已替班").first).to_be_visible()
    assert _fits(page)
    screenshot(page, f"member-swap-taken-{page.viewport_name}")
    shift.refresh_from_db()
    assert (shift.member_id, shift.status) == (member_b.pk, ShiftStatus.CONFIRMED)

    page.context.clear_cookies()
    _login(page, live_server, member_user.username)
    expect(page.get_by_text("已由 张三 替班")).to_be_visible()
    assert _fits(page)
