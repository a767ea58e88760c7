"""The work report: its figures are figures.compute()'s, on the page and in the .xlsx alike."""

import datetime
import io
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards import figures
from dashboards.periods import Period
from dashboards.report import CHILD_COLUMNS, column_header, format_figure
from dashboards.scope import resolve_scope
from platforms.models import AreaLevel
from tests.conftest import client_for
from tests.factories import (
    AttendanceFactory,
    ConsultationFactory,
    MemberFactory,
    TopicFactory,
    make_area,
)

from .case_data import D, make_cases, resolve

YEAR_2025 = {"period": "year", "year": "2025"}
TZ = timezone.get_fixed_timezone(8 * 60)


def report_url(node_key, name="dashboards:report", **query):
    return reverse(name, args=[node_key]) + "?" + urlencode({**YEAR_2025, **query})


def held(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(19, 30), tzinfo=TZ)


@pytest.fixture
def report_data(world):
    data = make_cases(world)
    for day, status in ((D(2025, 3, 5), "present"), (D(2025, 7, 9), "absent")):
        session = ConsultationFactory(venue=world.venue_a, held_at=held(day), host=world.member_a)
        AttendanceFactory(consultation=session, member=world.member_a, status=status)
    return data


def area_key(area) -> str:
    return f"a{area.pk}"


def page_cells(html: str, table_id: str) -> dict[str, list[str]]:
    """``{data-key: [cell texts]}`` of a table on the page."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = {}
    for key, body in re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', table, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)
        rows[key] = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    return rows


def load(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_report_page_reads_like_a_work_report(world, report_data, district_leader):
    response = client_for(district_leader).get(report_url(area_key(world.district_a)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "西陵区2025年度基层协商工作报告" in html
    report = response.context["report"]
    sentences = "".join(report["sentences"])
    assert "有效解决群众急难愁盼问题3件" in sentences
    assert "开展一线协商活动2次,参与委员1人次(1人),委员出席率为50%" in sentences
    # The summary sentence, with the dashboard's own numbers (exact, not rounded).
    figures = report["figures"]
    assert report["sentences"][0] == (
        f"本年度共开展协商活动{figures['sessions']}场,参与委员{figures['members_present']}人次,"
        f"解决群众急难愁盼问题{figures['resolved']}个,满意率{figures['satisfaction']:g}%。"
    )
    assert (
        report["sentences"][0]
        == "本年度共开展协商活动2场,参与委员1人次,解决群众急难愁盼问题3个,满意率50%。"
    )
    assert "0件" not in sentences
    # Table by child area: the one subdistrict of 西陵区, and the total.
    assert [row["name"] for row in report["child_rows"]] == ["学院街道"]
    # Top categories by resolved count (one each; 加装电梯 sorts before 停车难 in the list).
    assert {c["name"]: c["resolved"] for c in report["categories"]} == {
        "加装电梯": 2,
        "停车难": 1,
    }
    # Exemplary cases: rated 满意 and with a public summary only.
    assert [c["title"] for c in report["cases"]] == ["桃花岭小区加装电梯"]
    assert "协调资金加装电梯2部" in html and "主办部门:西陵区住建局" in html
    assert "张女士" not in html and "内部:楼栋长意见分歧较大" not in html
    # The print button is wired by a static script; no inline script on the page.
    assert "data-print-page" in html and "js/portal.js" in html
    assert "onclick" not in html
    # The 口径 note links the definitions page, keeping the node and the period.
    definitions = reverse("dashboards:definitions")
    assert f'href="{definitions}?node=a{world.district_a.pk}&amp;period=year&amp;year=2025"' in html


def test_quarter_title(world, report_data, district_leader):
    url = report_url(area_key(world.district_a), period="quarter", quarter="3")
    response = client_for(district_leader).get(url)
    assert "西陵区2025年第三季度基层协商工作报告" in response.content.decode()


def test_page_and_xlsx_figures_are_figures_compute(world, report_data, district_leader):
    client = client_for(district_leader)
    node = resolve_scope(district_leader, area_id=world.district_a.pk)
    period = Period.year(2025, today=timezone.localdate())
    expected = figures.compute(node, period)
    expected_children = figures.child_rows(node, period)
    assert expected["resolved"] == 3  # the fixture is what we think it is

    page = client.get(report_url(area_key(world.district_a)))
    assert page.context["report"]["figures"] == expected
    shown = page_cells(page.content.decode(), "report-figures")
    for definition in figures.DEFINITIONS:
        value = format_figure(definition.key, expected[definition.key])
        assert shown[definition.key][1].startswith(value), definition.key
    children = page_cells(page.content.decode(), "report-children")
    for row in expected_children:
        assert children[row["key"]][1:] == [format_figure(k, row[k]) for k in CHILD_COLUMNS]
    assert children["total"][1:] == [format_figure(k, expected[k]) for k in CHILD_COLUMNS]

    response = client.get(report_url(area_key(world.district_a), name="dashboards:report_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load(response)
    assert workbook.sheetnames == ["概要", "下级区划", "议题类别", "典型案例"]

    summary = {row[0]: row for row in workbook["概要"].iter_rows(values_only=True) if row[0]}
    assert workbook["概要"]["A1"].value == "西陵区2025年度基层协商工作报告"
    for definition in figures.DEFINITIONS:
        cell = summary[definition.label][1]
        want = expected[definition.key]
        assert cell == ("—" if want is None else want), definition.key
        # The page shows the same number.
        assert shown[definition.key][1].startswith(format_figure(definition.key, cell))

    child_sheet = list(workbook["下级区划"].iter_rows(values_only=True))
    assert child_sheet[0] == ("区划", *(column_header(k) for k in CHILD_COLUMNS))
    for row, line in zip(expected_children, child_sheet[1:], strict=False):
        assert line == (row["name"], *(("—" if row[k] is None else row[k]) for k in CHILD_COLUMNS))
    assert child_sheet[-1][0] == "西陵区合计"
    assert child_sheet[-1][1:] == tuple(
        "—" if expected[k] is None else expected[k] for k in CHILD_COLUMNS
    )

    categories = list(workbook["议题类别"].iter_rows(values_only=True))
    assert categories[0] == ("类别", "办结议题(件)", "占办结议题比例(%)")
    assert sorted(categories[1:]) == sorted([("加装电梯", 2, 66.7), ("停车难", 1, 33.3)])
    cases = list(workbook["典型案例"].iter_rows(values_only=True))
    assert cases[1][0] == "桃花岭小区加装电梯"
    assert cases[1][4] == "西陵区住建局"
    assert cases[1][7] == 10
    assert "张女士" not in str(cases)


def test_an_empty_period_says_so_plainly(world, district_leader):
    response = client_for(district_leader).get(report_url(area_key(world.district_a), year="2019"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "全部办结" not in html and "0件" not in "".join(response.context["report"]["sentences"])
    assert "本期暂无群众评价为“满意”且公开了办理结果的办结案例。" in html
    workbook = load(
        client_for(district_leader).get(
            report_url(area_key(world.district_a), name="dashboards:report_xlsx", year="2019")
        )
    )
    assert workbook["典型案例"].max_row == 1


def test_a_community_report_lists_its_venues(world, report_data, leader):
    response = client_for(leader).get(report_url(area_key(world.community_a)))
    report = response.context["report"]
    assert report["child_kind"] == "venue"
    assert [r["name"] for r in report["child_rows"]] == ["桃花岭协商驿站"]
    assert "各阵地情况" in response.content.decode()


@pytest.mark.parametrize("name", ["dashboards:report", "dashboards:report_xlsx"])
@pytest.mark.parametrize("node", ["district_b", "community_b", "city"])
def test_beside_or_above_the_leaders_area_is_404(world, district_leader, name, node):
    url = report_url(area_key(getattr(world, node)), name=name)
    assert client_for(district_leader).get(url).status_code == 404


@pytest.mark.parametrize("name", ["dashboards:report", "dashboards:report_xlsx"])
def test_members_403_anonymous_to_login(world, member_user, resident, name):
    url = report_url(area_key(world.district_a), name=name)
    assert client_for(member_user).get(url).status_code == 403
    response = resident.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _grow(world, n):
    for i in range(n):
        topic = TopicFactory(title=f"议题{i}", area=world.community_a, venue=world.venue_a)
        resolve(topic, rating="satisfied", summary=f"办理结果{i}")
        subdistrict = make_area(f"新街道{i}", AreaLevel.SUBDISTRICT, world.district_a)
        member = MemberFactory(area=subdistrict)
        session = ConsultationFactory(venue=world.venue_a, held_at=held(D(2025, 4, 1 + i % 28)))
        AttendanceFactory(consultation=session, member=member)


def test_same_number_of_queries_for_2_and_20_rows(world, district_leader):
    client = client_for(district_leader)
    url = report_url(area_key(world.district_a))
    counts = []
    for n in (2, 18):
        _grow(world, n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert response.context["report"]["figures"]["resolved"] == 20
    assert len(response.context["report"]["cases"]) == 5
    assert len(response.context["report"]["child_rows"]) == 21
    assert counts[0] == counts[1], counts
