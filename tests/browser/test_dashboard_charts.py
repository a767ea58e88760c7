"""Browser journey: a leader opens the charts, reads a chart's data table and downloads it."""

import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import TopicFactory

from .conftest import fits, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_leader_reads_a_chart_table_and_downloads_it(live_server, page, district_leader, world):
    today = timezone.localdate()
    TopicFactory(area=world.community_a, venue=world.venue_a, status="accepted", raised_on=today)
    TopicFactory(area=world.community_a, status="resolved", raised_on=today, resolved_on=today)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("leader_a")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # leaders land on their dashboard

    # Leaders land on their own area's dashboard; the 图表 tab opens the charts.
    page.get_by_role("link", name="图表", exact=True).click()
    page.wait_for_url(re.compile(rf"/dashboard/a{world.district_a.pk}/charts/"))
    expect(page.get_by_role("heading", name="议题办理漏斗")).to_be_visible()
    # ECharts drew every chart with data: each chart box holds the SVG it created.
    funnel = page.locator('[data-chart="funnel"]')
    funnel.locator("svg").wait_for()
    expect(page.locator("[data-chart]")).to_have_count(6)
    expect(page.locator("[data-chart] svg")).to_have_count(6)
    # topic_a of the world, and these two
    expect(funnel).to_have_attribute("aria-label", re.compile("提出3件"))
    box = funnel.bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    assert fits(page)

    card = page.locator("section", has=page.get_by_role("heading", name="议题办理漏斗"))
    table = card.get_by_role("table")
    expect(table).to_be_hidden()
    card.get_by_text("查看数据表").click()
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_have_text(
        re.compile("^西陵区 · 议题办理漏斗"), use_inner_text=True
    )
    row = table.get_by_role("row", name=re.compile("^立项"))
    # topic_a is still only raised
    expect(row.get_by_role("cell")).to_have_text("2", use_inner_text=True)
    screenshot(page, "dashboard-charts-table")

    # Printed: the numbers of every chart, even a table nobody opened; no chart boxes.
    page.emulate_media(media="print")
    trend = page.locator("section", has=page.get_by_role("heading", name="提出与办结月度趋势"))
    expect(trend.get_by_role("table")).to_be_visible()
    expect(page.locator('[data-chart="trend"]')).to_be_hidden()
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        card.get_by_role("link", name=re.compile(r"^导出 Excel\W*议题办理漏斗数据表$")).click()
    name = download.value.suggested_filename
    assert name.startswith("西陵区_议题办理漏斗_") and name.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:  # a temporary name without .xlsx
        sheet = load_workbook(handle).active
    rows = [list(r) for r in sheet.iter_rows(min_row=4, max_row=9, values_only=True)]
    assert rows == [
        ["环节", "议题数"],
        ["提出", 3],
        ["立项", 2],
        ["交办", 1],
        ["办结", 1],
        ["评价", 0],
    ]
