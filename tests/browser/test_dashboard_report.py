"""Browser journey (issue 6, report): a leader opens the work report from the dashboard, reads
it on a desktop and a 390 px phone, prints it on A4; and reads the resolved cases as cards."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.dashboards.case_data import resolve
from tests.factories import AttendanceFactory, ConsultationFactory, ReferralFactory

from .conftest import fits, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def this_year(world):
    """A topic resolved and rated this year, a session held this year, in district A."""
    today = timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    topic = resolve(
        world.topic_a,
        raised=start,
        on=today,
        rating="satisfied",
        summary="协调资金加装电梯2部,已投入使用,惠及居民120户。",
    )
    ReferralFactory(topic=topic, department=world.department_a, referred_on=start, deadline=today)
    session = ConsultationFactory(venue=world.venue_a, host=world.member_a)
    AttendanceFactory(consultation=session, member=world.member_a)
    return topic


def test_leader_opens_and_prints_the_report(live_server, page, district_leader, world, this_year):
    login(page, live_server, "leader_a")
    page.get_by_role("link", name="工作报告").click()
    page.wait_for_url(re.compile(rf"/dashboard/a{world.district_a.pk}/report/"))
    year = timezone.localdate().year
    title = page.get_by_role("heading", name=f"西陵区{year}年度基层协商工作报告")
    expect(title).to_be_visible()
    expect(page.locator("#report-sentences")).to_contain_text(
        "有效解决群众急难愁盼问题1件", use_inner_text=True
    )
    expect(page.locator(".report-case").first).to_contain_text(
        "协调资金加装电梯2部", use_inner_text=True
    )
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    assert fits(page)
    screenshot(page, "dashboard-report")

    # The 打印 button calls window.print() (from static/js/portal.js).
    # (A function expression: evaluate() returning a function would call it once itself.)
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.__printed") == 1

    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(page.locator("form[aria-label='选择统计周期']")).to_be_hidden()
    expect(page.locator(".nav-tabs")).to_be_hidden()
    expect(title).to_be_visible()
    assert (
        page.locator("#report-children thead").evaluate("e => getComputedStyle(e).display")
        == "table-header-group"
    )
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    assert 1 <= len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 3


def test_leader_reads_resolved_cases(live_server, page, district_leader, world, this_year):
    login(page, live_server, "leader_a")
    page.goto(f"{live_server.url}/dashboard/a{world.district_a.pk}/cases/")
    row = page.locator("table.case-table tbody tr").first
    expect(row).to_contain_text("桃花岭小区加装电梯", use_inner_text=True)
    expect(row).to_contain_text("惠及居民120户", use_inner_text=True)
    page.get_by_label("群众评价").select_option(label="不满意")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.get_by_text("没有符合筛选条件的办结案例")).to_be_visible()
    assert f"year={timezone.localdate().year}" in page.url  # the period came along
    page.get_by_role("link", name="清除筛选").first.click()
    expect(page.locator("table.case-table tbody tr")).to_have_count(1)
    assert fits(page)
    screenshot(page, "dashboard-cases")
