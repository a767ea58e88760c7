"""Browser journey (issue 5, item 3): a member reports a proposal from their phone home, the
office returns it for a missing detail, the member corrects it, the office confirms it and the
member's points and 五个一 show it — desktop and 390 px wide."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Duty

from .conftest import fits, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_member_reports_office_returns_then_confirms(
    live_server, page, office_staff, member_user, world
):
    today = timezone.localdate()
    login(page, live_server, "member_a")
    page.get_by_role("link", name="填报履职").click()
    page.get_by_label("类型").select_option("proposal")
    page.get_by_label("日期").fill((today + datetime.timedelta(days=1)).isoformat())
    page.get_by_label("标题").fill("关于增设社区食堂的提案")
    page.get_by_label("阵地").select_option(label=world.venue_a.name)
    page.get_by_label("结果").select_option("filed")
    page.get_by_role("button", name="提交审核").click()
    # The date picker stops a future day before it is sent (the server refuses it too).
    assert page.get_by_label("日期").evaluate("el => el.validity.rangeOverflow")
    assert not Duty.objects.exists()
    page.get_by_label("日期").fill(today.isoformat())
    page.get_by_label("类型").select_option("research")  # with 立案 still chosen: wrong
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("调研没有结果可选")).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value("关于增设社区食堂的提案")
    assert fits(page)
    page.get_by_label("类型").select_option("proposal")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(f"{live_server.url}/members/me/duties/")
    expect(page.get_by_text("待审核 1 条")).to_be_visible()
    assert fits(page)
    screenshot(page, "my-duties-submitted")

    login(page, live_server, "staff_a")
    page.locator("#duties-to-review").get_by_role("link", name="去审核").click()
    card = page.locator("article", has_text="关于增设社区食堂的提案")
    card.get_by_role("button", name="退回").click()
    expect(page.get_by_text("退回时请写明原因")).to_be_visible()
    card = page.locator("article", has_text="关于增设社区食堂的提案")
    card.get_by_label("审核意见").fill("请写明提案编号")
    card.get_by_role("button", name="退回").click()
    expect(page.get_by_text("已退回:李明")).to_be_visible()
    assert fits(page)

    login(page, live_server, "member_a")
    page.goto(f"{live_server.url}/members/me/duties/")
    expect(page.get_by_text("请写明提案编号")).to_be_visible()
    page.locator("article", has_text="关于增设社区食堂的提案").get_by_role(
        "link", name="修改"
    ).click()
    page.get_by_label("标题").fill("关于增设社区食堂的提案(第0123号)")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("待审核 1 条")).to_be_visible()

    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/members/duties/review/")
    page.locator("article", has_text="第0123号").get_by_role("button", name="认定").click()
    expect(page.get_by_text("没有待审核的履职记录")).to_be_visible()
    screenshot(page, "duty-review-empty")
    duty = Duty.objects.get(member=world.member_a, title__contains="第0123号")
    assert (duty.status, duty.reviewed_by_id) == ("done", office_staff.pk)

    login(page, live_server, "member_a")
    expect(page.get_by_text("提案立案加分")).to_be_visible()
    five_ones = page.locator("section", has_text="今年“五个一”")
    expect(five_ones.locator("li", has_text="提案").get_by_text("已完成 1")).to_be_visible()
    assert fits(page)
    screenshot(page, "member-home-after-review")
