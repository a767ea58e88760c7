"""The dashboards' period picker shows only the fields of the chosen period (issue 16) —
desktop and 390 px wide."""

import pytest
from playwright.sync_api import expect

from .conftest import fits, login, screenshot, unfold

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_period_picker_shows_the_fields_of_the_chosen_period(live_server, page, leader, world):
    login(page, live_server, "leader_city")
    expect(page.get_by_role("heading", name="宜昌市 · 协商工作看板")).to_be_visible()
    unfold(page, page.get_by_role("button", name="更改统计周期"), "#period-picker")
    picker = page.locator("#period-picker")

    def shown() -> list[str]:
        return [
            label
            for label in ("年份", "季度", "月份", "开始日期", "结束日期")
            if picker.get_by_label(label, exact=True).is_visible()
        ]

    kind = picker.get_by_label("统计周期", exact=True)
    kind.select_option("year")
    expect(picker.get_by_label("季度", exact=True)).to_be_hidden()
    assert shown() == ["年份"]
    kind.select_option("quarter")
    expect(picker.get_by_label("季度", exact=True)).to_be_visible()
    assert shown() == ["年份", "季度"]
    kind.select_option("month")
    expect(picker.get_by_label("月份", exact=True)).to_be_visible()
    assert shown() == ["年份", "月份"]
    kind.select_option("custom")
    expect(picker.get_by_label("开始日期", exact=True)).to_be_visible()
    assert shown() == ["开始日期", "结束日期"]
    assert fits(page)
    screenshot(page, "period-picker-custom")

    picker.get_by_label("开始日期", exact=True).fill("2026-01-01")
    picker.get_by_label("结束日期", exact=True).fill("2026-03-31")
    picker.get_by_role("button", name="查看").click()
    page.wait_for_url("**period=custom*")
    assert "year=" not in page.url and "quarter=" not in page.url
    expect(page.locator("#period-picker #id_start")).to_have_value("2026-01-01")
    expect(page.locator("#period-picker #id_year")).to_be_disabled()
