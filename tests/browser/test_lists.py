"""Browser journey: filter, sort and export the topic list on a phone and on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import TopicFactory

from .conftest import fits, screenshot, unfold

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff_a")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_filter_sort_and_export_the_topic_list(live_server, page, office_staff, world):
    TopicFactory(title="学院路交办的路灯", area=world.community_a, status="referred")
    TopicFactory(title="已立项的护栏", area=world.community_a, status="accepted")
    log_in(page, live_server)
    page.goto(f"{live_server.url}/topics/")

    referred = page.get_by_label("已交办", exact=True)
    more = page.get_by_role("button", name=re.compile("更多筛选条件"))
    if page.viewport_size["width"] < 768:
        # On a phone the extra filters fold away behind one button.
        expect(more).to_be_visible()
        expect(referred).to_be_hidden()
        unfold(page, more, "#list-filters-more")
    else:
        expect(more).to_be_hidden()
        expect(referred).to_be_visible()
    referred.check()
    page.get_by_role("button", name="筛选", exact=True).click()

    page.wait_for_url(re.compile(r"status=referred"))
    expect(page.get_by_role("link", name="学院路交办的路灯")).to_be_visible()
    if page.viewport_size["width"] < 768:
        # Issue 16: after 筛选 the extra filters fold again, so the results start on the first
        # screen; the button says how many filters are in use.
        expect(page.locator("#list-filters-more")).to_be_hidden()
        expect(more).to_contain_text("已选 1")
        expect(page.get_by_role("link", name="学院路交办的路灯")).to_be_in_viewport()
    expect(page.get_by_role("link", name="已立项的护栏")).to_have_count(0)
    expect(page.get_by_text("共 1 条")).to_be_visible()
    assert fits(page)

    # Sorting keeps the filter; the sorted column says so to screen readers.
    if page.viewport_size["width"] >= 768:
        page.locator("thead").get_by_role("link", name=re.compile("^议题")).click()
        page.wait_for_url(re.compile(r"sort=title"))
        assert "status=referred" in page.url
        header = page.locator("th[aria-sort]")
        expect(header).to_have_attribute("aria-sort", "ascending")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    # The staff's own area in the name, like the dashboard's workbooks.
    assert re.fullmatch(r"议题_西陵区_\d{8}\.xlsx", download.value.suggested_filename)
    screenshot(page, "topic-list-filtered")
