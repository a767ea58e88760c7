"""Browser journey (issue 5, item 3): staff record a duty from a member's file, see it in the
ranking, and the member sees points and the 五个一 on their home — desktop and 390 px wide."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Duty

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


def test_record_a_duty_then_see_points(live_server, page, office_staff, member_user, world):
    today = timezone.localdate()
    _login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/members/{world.member_a.pk}/")
    page.get_by_role("link", name="登记履职").click()
    page.get_by_label("类型").select_option("proposal")
    page.get_by_label("日期").fill(today.isoformat())
    page.get_by_label("标题").fill("关于增设社区食堂的提案")
    page.get_by_label("结果").select_option("adopted_city")  # wrong for a proposal
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("提案只能选择").first).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value("关于增设社区食堂的提案")
    assert _fits(page)
    page.get_by_label("结果").select_option("filed")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/members/{world.member_a.pk}/")
    assert Duty.objects.filter(member=world.member_a, outcome="filed").count() == 1

    page.goto(f"{live_server.url}/members/points/ranking/")
    row = page.locator("tbody tr", has_text="李明")
    expect(row).to_be_visible()
    assert _fits(page)
    screenshot(page, "points-ranking")
    page.get_by_role("link", name="积分规则").click()
    expect(page.get_by_text("您可以查看")).to_be_visible()  # a district office reads only
    screenshot(page, "points-rules")

    page.context.clear_cookies()
    _login(page, live_server, "member_a")
    expect(page.get_by_role("heading", name="今年履职积分")).to_be_visible()
    expect(page.get_by_text("提案立案加分")).to_be_visible()
    assert _fits(page)
    screenshot(page, "member-home-points")
