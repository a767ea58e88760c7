"""Browser checks of the security pages a person meets: the login lockout, 我的登录设备 and a
mistyped tracking code, at desktop and phone widths, in Chinese."""

import pytest
from django.conf import settings
from django.urls import reverse

from .conftest import fits, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_wrong_passwords_lock_the_login_with_a_chinese_page(live_server, page, office_staff):
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("用户名").fill("staff_a")
        page.get_by_label("密码").fill("not-the-password")
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
    heading = page.get_by_role("heading", name="登录已暂时锁定")
    heading.wait_for()
    assert "15 分钟后再试" in page.get_by_role("alert").inner_text()
    assert fits(page)
    screenshot(page, "login-locked")


def test_a_user_signs_out_of_another_device(live_server, page, browser, office_staff):
    other = browser.new_context(user_agent="Mozilla/5.0 (iPhone; Borrowed phone)")
    other_page = other.new_page()
    login(other_page, live_server, "staff_a")

    login(page, live_server, "staff_a")
    page.goto(live_server.url + reverse("sessions"))
    page.get_by_role("heading", name="我的登录设备").wait_for()
    assert page.get_by_text("当前设备").count() == 1
    assert fits(page)
    screenshot(page, "sessions")
    row = page.get_by_role("listitem").filter(has_text="Borrowed phone")
    row.get_by_role("button", name="退出该设备").click()
    page.get_by_text("已退出该设备上的登录。").wait_for()

    other_page.goto(live_server.url + "/")
    assert "/accounts/login/" in other_page.url
    other.close()


def test_a_mistyped_tracking_code_keeps_what_was_typed(live_server, page, world):
    page.goto(f"{live_server.url}/t/")
    page.get_by_label("已经反映过?输入查询码查看办理进度").fill("ABCD2345")
    page.get_by_role("button", name="查询").click()
    page.get_by_text("没有找到查询码为 ABCD2345 的问题").wait_for()
    assert page.get_by_label("已经反映过?输入查询码查看办理进度").input_value() == "ABCD2345"
    assert fits(page)
    screenshot(page, "track-not-found")
