"""Browser journey (issue 6): a city leader lands on the dashboard of their city and drills down
city → district → subdistrict → community → venue by the ranking links, then back up by the
breadcrumb, keeping the chosen period — desktop and 390 px wide, no horizontal scroll."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import fits, screenshot, unfold

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _ranking_link(page, name):
    return page.locator(".ranking-table tbody").get_by_role("link", name=name, exact=True)


def test_leader_drills_down_and_back_up(live_server, page, leader, world):
    year = timezone.localdate().year
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("leader_city")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/dashboard/a{world.city.pk}/")
    expect(page.get_by_role("heading", name="宜昌市 · 协商工作看板")).to_be_visible()
    expect(page.locator("#tile-raised")).to_contain_text("征集问题")
    expect(page.locator("#tile-raised .tile-change")).to_contain_text("上期")
    assert fits(page)
    screenshot(page, "dashboard-city")

    # Choose the year explicitly: every link below keeps it. On a phone the picker is folded.
    unfold(page, page.get_by_role("button", name="更改统计周期"), "#period-picker")
    page.get_by_label("统计周期", exact=True).select_option("year")
    page.get_by_label("年份", exact=True).fill(str(year))
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**/dashboard/a{world.city.pk}/?*year={year}*")

    # Sort the ranking by a figure, then drill down.
    if page.viewport_size["width"] < 576:  # phones sort from a list
        page.get_by_label("排序方式").select_option("-raised")
        page.get_by_role("button", name="排序", exact=True).click()
    else:
        page.locator(".ranking-table thead").get_by_role("link", name="征集问题(件)").click()
    page.wait_for_url("**sort=-raised*")
    expect(page.locator('.ranking-table th[aria-sort="descending"]')).to_contain_text("征集问题")
    # A 合计 row; on a phone each child is one line (the table scrolls sideways inside its box),
    # not a card of twenty lines.
    expect(page.locator(".ranking-table .ranking-total")).to_contain_text("合计")
    heights = page.locator(".ranking-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    assert heights and max(heights) < 48, heights
    _ranking_link(page, "西陵区").click()
    page.wait_for_url(f"**/dashboard/a{world.district_a.pk}/?*year={year}*")
    expect(page.get_by_role("heading", name="西陵区 · 协商工作看板")).to_be_visible()
    assert fits(page)
    screenshot(page, "dashboard-district")

    _ranking_link(page, "学院街道").click()
    page.wait_for_url(f"**/dashboard/a{world.subdistrict_a.pk}/?*")
    _ranking_link(page, "桃花岭社区").click()
    page.wait_for_url(f"**/dashboard/a{world.community_a.pk}/?*")
    expect(page.get_by_role("heading", name="各阵地排名")).to_be_visible()
    assert fits(page)
    screenshot(page, "dashboard-community")

    _ranking_link(page, "桃花岭协商驿站").click()
    page.wait_for_url(f"**/dashboard/v{world.venue_a.pk}/?*year={year}*")
    expect(page.get_by_role("heading", name="桃花岭协商驿站 · 协商工作看板")).to_be_visible()
    # A venue is compared with the venues of its community, itself marked, not linked.
    expect(page.get_by_role("heading", name="同区划阵地对比")).to_be_visible()
    current = page.locator(".ranking-table tbody tr.table-primary")
    expect(current).to_contain_text("桃花岭协商驿站")
    expect(current).to_contain_text("本阵地")
    expect(current.get_by_role("link")).to_have_count(0)
    expect(page.locator("#tile-raised .tile-value")).to_contain_text("1")
    assert fits(page)
    screenshot(page, "dashboard-venue")

    # Back up by the breadcrumb, still in the chosen year.
    page.get_by_label("区划层级").get_by_role("link", name="西陵区").click()
    page.wait_for_url(f"**/dashboard/a{world.district_a.pk}/?*year={year}*")
    expect(page.get_by_role("heading", name="西陵区 · 协商工作看板")).to_be_visible()

    # The ⓘ of a tile explains the figure.
    page.locator("#tile-resolution_rate").get_by_role("link").click()
    expect(page.locator("#def-resolution_rate")).to_be_visible()
    assert fits(page)
    screenshot(page, "dashboard-definitions")
    page.get_by_role("link", name="返回看板").click()
    page.wait_for_url(f"**/dashboard/a{world.district_a.pk}/?*year={year}*")
