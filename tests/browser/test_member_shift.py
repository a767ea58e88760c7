"""Browser journey (issue 5, item 2): staff generate a venue's rota, the member confirms a shift
on their home page — desktop and 390 px wide."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import DutyShift, ShiftStatus

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
    screenshot(page, f"rota-{page.viewport_name}")
    assert DutyShift.objects.filter(venue=world.venue_a).exists()

    page.context.clear_cookies()
    _login(page, live_server, member_user.username)
    page.get_by_role("button", name="确认值日").first.click()
    expect(page.get_by_text("已确认").first).to_be_visible()
    assert _fits(page)
    screenshot(page, f"member-shift-{page.viewport_name}")
    first = DutyShift.objects.filter(member=world.member_a).order_by("date", "slot").first()
    assert first.status == ShiftStatus.CONFIRMED
