"""Resolved cases (办结案例): which topics are listed, the filters, scope, exports, query counts."""

import csv
import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.factories import DepartmentFactory, ReferralFactory, TopicFactory
from topics.models import TopicCategory

from .case_data import D, make_cases, resolve

YEAR_2025 = {"period": "year", "year": "2025"}


def cases_url(area, **query):
    from urllib.parse import urlencode

    return (
        reverse("dashboards:cases", args=[f"a{area.pk}"]) + "?" + urlencode({**YEAR_2025, **query})
    )


def titles(response) -> list[str]:
    return [case.title for case in response.context["cases"]]


@pytest.fixture
def cases(world):
    return make_cases(world)


def test_lists_resolved_topics_of_the_area_in_the_period(world, cases, district_leader):
    response = client_for(district_leader).get(cases_url(world.district_a))
    assert response.status_code == 200
    # Newest resolution first; not last year's, not the open one, not district B's.
    assert titles(response) == ["路灯维修", "学院路停车位划线", "桃花岭小区加装电梯"]
    html = response.content.decode()
    assert "协调资金加装电梯2部,已投入使用。" in html
    assert "西陵区住建局" in html  # lead department
    assert ">10 天<" in html  # 2025-03-01 → 2025-03-11
    assert "满意" in html and "不满意" in html and "未评价" in html
    # Private details of the resident and internal notes never reach the page.
    assert "张女士" not in html and "13700001111" not in html
    assert "内部:楼栋长意见分歧较大" not in html


def test_the_period_decides_by_resolution_date(world, cases, district_leader):
    client = client_for(district_leader)
    response = client.get(cases_url(world.district_a, period="quarter", quarter="1"))
    assert titles(response) == ["桃花岭小区加装电梯"]
    response = client.get(cases_url(world.district_a, year="2024"))
    assert titles(response) == ["去年的案例"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rating": "satisfied"}, ["桃花岭小区加装电梯"]),
        ({"rating": "unsatisfied"}, ["学院路停车位划线"]),
        ({"rating": "basically"}, []),
        ({"rating": "none"}, ["路灯维修"]),
        ({"q": "停车"}, ["学院路停车位划线"]),
        ({"q": "路灯15盏"}, ["路灯维修"]),  # the public summary is searched too
    ],
)
def test_filters(world, cases, district_leader, query, expected):
    response = client_for(district_leader).get(cases_url(world.district_a, **query))
    assert titles(response) == expected


def test_filter_by_category_venue_and_lead_department(world, cases, district_leader):
    client = client_for(district_leader)
    parking = TopicCategory.objects.get(name="停车难")
    assert titles(client.get(cases_url(world.district_a, category=parking.pk))) == [
        "学院路停车位划线"
    ]
    assert titles(client.get(cases_url(world.district_a, venue=cases["other_venue"].pk))) == [
        "路灯维修"
    ]
    assert titles(client.get(cases_url(world.district_a, department=world.department_a.pk))) == [
        "桃花岭小区加装电梯"
    ]
    # Only the lead department counts: 城管局 merely assisted with the street lights.
    assert titles(client.get(cases_url(world.district_a, department=cases["assist"].pk))) == []


def test_a_venue_outside_the_node_is_refused_next_to_the_field(world, cases, leader):
    response = client_for(leader).get(cases_url(world.district_a, venue=world.venue_b.pk))
    assert response.status_code == 200
    assert "venue" in response.context["filterset"].form.errors
    assert len(titles(response)) == 3  # the refused filter narrows nothing


def test_filter_form_keeps_the_period_and_clearing_keeps_it_too(world, cases, district_leader):
    response = client_for(district_leader).get(
        cases_url(world.district_a, period="quarter", quarter="3", rating="none")
    )
    html = response.content.decode()
    assert '<input type="hidden" name="quarter" value="3">' in html
    assert response.context["is_filtered"] is True
    assert response.context["active_filter_count"] == 1
    assert response.context["clear_url"] == "?period=quarter&year=2025&quarter=3"
    unfiltered = client_for(district_leader).get(cases_url(world.district_a))
    assert unfiltered.context["is_filtered"] is False


def test_a_venue_node_lists_its_own_cases(world, cases, leader):
    url = reverse("dashboards:cases", args=[f"v{world.venue_a.pk}"]) + "?period=year&year=2025"
    assert titles(client_for(leader).get(url)) == ["桃花岭小区加装电梯"]


@pytest.mark.parametrize("node", ["district_b", "community_b", "city"])
def test_beside_or_above_the_leaders_area_is_404(world, cases, district_leader, node):
    response = client_for(district_leader).get(cases_url(getattr(world, node)))
    assert response.status_code == 404


def test_venue_beside_is_404(world, district_leader):
    url = reverse("dashboards:cases", args=[f"v{world.venue_b.pk}"])
    assert client_for(district_leader).get(url).status_code == 404


def test_members_get_403_and_anonymous_the_login_page(world, member_user, resident):
    url = cases_url(world.district_a)
    assert client_for(member_user).get(url).status_code == 403
    response = resident.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_xlsx_export_holds_the_filtered_cases(world, cases, district_leader):
    response = client_for(district_leader).get(
        cases_url(world.district_a, export="xlsx", rating="satisfied")
    )
    assert response.status_code == 200
    assert "resolved_cases_" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("议题", "类别", "办理结果(公开)")
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["议题"] == "桃花岭小区加装电梯"
    assert row["主办部门"] == "西陵区住建局"
    assert row["办理天数"] == 10
    assert row["群众评价"] == "满意"
    assert "张女士" not in str(rows) and "内部" not in str(rows)


def test_export_is_named_after_the_dashboards_area(world, cases, district_leader):
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = client_for(district_leader).get(cases_url(world.subdistrict_a, export="csv"))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert quote(f"办结案例_学院街道_{stamp}.csv") in disposition
    assert f'filename="resolved_cases_{stamp}.csv"' in disposition


def test_csv_export_holds_every_case_of_the_period(world, cases, district_leader):
    response = client_for(district_leader).get(cases_url(world.district_a, export="csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["议题"] for r in rows] == ["路灯维修", "学院路停车位划线", "桃花岭小区加装电梯"]
    assert [r["群众评价"] for r in rows] == ["未评价", "不满意", "满意"]
    assert rows[0]["办理天数"] == "2"


def test_sort_by_days_taken(world, cases, district_leader):
    response = client_for(district_leader).get(
        cases_url(world.district_a, sort="-days", rating="", q="")
    )
    assert titles(response) == ["学院路停车位划线", "桃花岭小区加装电梯", "路灯维修"]
    # The phone's sort list (the table header is hidden there) offers the same orders, keeps
    # the period and filters, and shows the current one.
    html = response.content.decode()
    assert '<option value="-days" selected>办理天数 从多到少</option>' in html
    assert '<option value="resolved_on">办结日期 从旧到新</option>' in html
    assert [o["value"] for o in response.context["sort_options"]].count("-days") == 1
    assert ("year", "2025") in response.context["sort_keep"]
    assert all(key != "sort" for key, _ in response.context["sort_keep"])


def _grow(world, n):
    for i in range(n):
        topic = resolve(
            TopicFactory(title=f"案例{i}", area=world.community_a, venue=world.venue_a),
            rating="satisfied" if i % 2 else "",
        )
        department = DepartmentFactory(area=world.district_a)
        ReferralFactory(
            topic=topic,
            department=department,
            role="lead",
            referred_on=D(2025, 3, 1),
            deadline=D(2025, 3, 30),
        )


def test_same_number_of_queries_for_2_and_20_cases(world, district_leader):
    client = client_for(district_leader)
    url = cases_url(world.district_a)
    counts = []
    for n in (2, 18):
        _grow(world, n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(response.context["cases"]) == 20
    assert counts[0] == counts[1], counts
    assert counts[0] <= 15
