"""Browser journey (issue 4, items 2–3): staff open a venue page and record a "六有" item, then
open a member's file from it and change the phone number — at desktop size and 390 px wide."""

import pytest
from playwright.sync_api import expect

from platforms.models import VenueStandardRecord

from .conftest import fits, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_staff_record_a_six_standards_item_and_edit_a_members_phone(
    live_server, page, office_staff, world
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff_a")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    # The venue page: checklist, members, sessions.
    page.goto(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/")
    expect(page.get_by_role("heading", name="桃花岭协商驿站")).to_be_visible()
    signage = page.locator('#six-standards li[data-item="signage"]')
    expect(signage).to_contain_text("未登记", use_inner_text=True)
    assert fits(page)

    signage.get_by_role("link", name="登记有标识").click()
    expect(page.get_by_label("六有项目")).to_have_value("signage")
    page.get_by_label("达标日期").fill("2024-09-01")
    page.get_by_label("说明").fill("门口挂牌")
    page.get_by_role("button", name="登记").click()

    page.wait_for_url(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/")
    expect(page.get_by_text("已登记“有标识”")).to_be_visible()
    signage = page.locator('#six-standards li[data-item="signage"]')
    expect(signage).to_contain_text("2024-09-01", use_inner_text=True)
    expect(signage).to_contain_text("门口挂牌", use_inner_text=True)
    record = VenueStandardRecord.objects.get(venue=world.venue_a, item="signage")
    assert str(record.met_on) == "2024-09-01"
    screenshot(page, "venue-page")

    # From the venue to the member's file, and edit the phone.
    page.get_by_role("link", name="李明").first.click()
    page.wait_for_url(f"{live_server.url}/members/{world.member_a.pk}/")
    page.get_by_role("link", name="编辑档案").click()
    phone = page.get_by_label("联系电话")
    expect(phone).to_have_value("13911112222")
    phone.fill("1391111")  # too short: refused in Chinese, the typing kept
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("请输入有效的手机号").first).to_be_visible()
    expect(page.get_by_label("联系电话")).to_have_value("1391111")
    assert fits(page)

    page.get_by_label("联系电话").fill("139 2222 3333")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/members/{world.member_a.pk}/")
    expect(page.locator("#member-phone")).to_have_text("13922223333")
    expect(page.get_by_text("13911112222").first).to_be_visible()  # old value in 修改记录
    assert fits(page)
    screenshot(page, "member-page")
    world.member_a.refresh_from_db()
    assert world.member_a.phone == "13922223333"
