"""Browser journey: office staff log in and land on their home page, in Chinese."""

import pytest
from playwright.sync_api import expect

from .conftest import fits, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_staff_logs_in_and_lands_on_home_in_chinese(live_server, page, office_staff, world):
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_label("用户名").fill("staff_a")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.get_by_text("待受理议题")).to_be_visible()
    # The page fits the viewport: no horizontal scrolling on a 390 px phone.
    assert fits(page)
    path = screenshot(page, "staff-home")
    assert path.stat().st_size > 10_000


def test_wrong_password_stays_on_login_with_a_chinese_message(live_server, page, office_staff):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff_a")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("请输入一个正确的")).to_be_visible()
    expect(page.get_by_label("用户名")).to_have_value("staff_a")
