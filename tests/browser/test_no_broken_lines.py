"""Short texts that must not break across lines: members' names on the public venue page (a
390 px phone broke 王/倩燕), and the dates of the resolved-cases table at 1280 px."""

import pytest
from django.urls import reverse

from tests.dashboards.case_data import make_cases
from tests.factories import AssignmentFactory, MemberFactory

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# True when the element's text sits on one line: its line boxes' middles lie within half a line.
ONE_LINE = """(els) => els.map((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const mids = [...range.getClientRects()].map((r) => r.top + r.height / 2);
  const lineHeight = parseFloat(getComputedStyle(el).fontSize) * 1.2;
  return [el.textContent.trim(), Math.max(...mids) - Math.min(...mids) < lineHeight / 2];
})"""


@pytest.mark.parametrize("page", [(390, 844)], indirect=True, ids=["phone"])
def test_member_names_on_the_public_venue_page_stay_whole(live_server, page, world):
    for name in ("王倩燕", "欧阳明辉", "司马相如", "李娜", "张建国", "赵丽颖"):
        AssignmentFactory(
            member=MemberFactory(name=name, area=world.district_a), venue=world.venue_a
        )
    page.goto(f"{live_server.url}/v/{world.venue_a.code}/")
    names = page.locator("p .text-nowrap").evaluate_all(ONE_LINE)
    assert len(names) >= 6
    assert [text for text, whole in names if not whole] == []


@pytest.mark.parametrize("page", [(1280, 800)], indirect=True, ids=["desktop"])
def test_case_dates_stay_on_one_line(live_server, page, world, district_leader):
    cases = make_cases(world)
    # Long names and summaries squeeze the table, as real cases do.
    for topic in (cases["a"], cases["b"], cases["c"]):
        topic.title = "桃花岭社区老旧小区改造加装电梯及停车位划线和路灯维修综合整治" + topic.title
        topic.resolution_summary = "协调住建、城管、供电等部门现场办公,制定分期实施方案。" * 6
        topic.save(update_fields=["title", "resolution_summary"])
    cases["other_venue"].name = "学院街道政协委员工作室暨协商议事厅(东山片区)"
    cases["other_venue"].save(update_fields=["name"])
    login(page, live_server, "leader_a")
    url = reverse("dashboards:cases", args=[f"a{world.district_a.pk}"]) + "?period=year&year=2025"
    page.goto(live_server.url + url)
    cells = page.locator("td[data-label='提出日期'], td[data-label='办结日期']").evaluate_all(
        ONE_LINE
    )
    assert cells and [text for text, whole in cells if not whole] == []
