"""The leadership charts: each against numbers worked out by hand, the page, the .xlsx, access."""

import datetime
import io
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import charts
from dashboards.periods import Period
from dashboards.scope import resolve_scope
from platforms.models import AreaLevel
from tests.conftest import client_for
from tests.factories import ConsultationFactory, TopicFactory, VenueFactory, make_area
from topics.models import ConsultationForm, TopicCategory

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
YEAR_2025 = Period.year(2025, today=D(2026, 6, 1))
YEAR_QUERY = "?period=year&year=2025"


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def data(world):
    """Topics and sessions of 2025 in district A (plus some that must not count).

    raised in 2025 (district A): t1 Jan resolved (5 days), t2 Jan rated (resolved Mar 1, 40 days),
    t3 Feb accepted, t4 Feb referred, t5 Mar declined; not counted as raised: t6 (merged),
    t7 (raised Dec 2024, resolved Jan 5 2025: 16 days), t8 (district B).
    """
    lift = TopicCategory.objects.get(name="加装电梯")
    parking = TopicCategory.objects.get(name="停车难")
    a, va = world.community_a, world.venue_a

    def topic(**kw):
        kw.setdefault("area", a)
        kw.setdefault("venue", va)
        kw.setdefault("category", lift)
        return TopicFactory(**kw)

    t1 = topic(raised_on=D(2025, 1, 10), status="resolved", resolved_on=D(2025, 1, 15))
    topic(
        raised_on=D(2025, 1, 20),
        status="rated",
        resolved_on=D(2025, 3, 1),
        rating="satisfied",
        rated_on=D(2025, 3, 5),
        category=parking,
    )
    topic(raised_on=D(2025, 2, 5), status="accepted", venue=None, category=parking)
    topic(raised_on=D(2025, 2, 6), status="referred")
    topic(raised_on=D(2025, 3, 1), status="declined")
    topic(raised_on=D(2025, 3, 2), status="merged", merged_into=t1)
    topic(raised_on=D(2024, 12, 20), status="resolved", resolved_on=D(2025, 1, 5))
    topic(area=world.community_b, venue=world.venue_b, raised_on=D(2025, 1, 1))

    ConsultationFactory(venue=va, held_at=_at(2025, 5, 1, 19), form=ConsultationForm.RESIDENTS)
    ConsultationFactory(venue=va, held_at=_at(2025, 5, 2, 19), form=ConsultationForm.MONTHLY_TALK)
    ConsultationFactory(venue=va, held_at=_at(2025, 6, 1, 19), form=ConsultationForm.RESIDENTS)
    # 00:30 on New Year's Day in Shanghai is still 2024 in UTC: it counts in 2025.
    ConsultationFactory(venue=va, held_at=_at(2025, 1, 1, 0, 30), form=ConsultationForm.RESIDENTS)
    ConsultationFactory(venue=va, held_at=_at(2024, 12, 31, 23, 30))
    ConsultationFactory(venue=world.venue_b, held_at=_at(2025, 5, 1, 19))
    return world


def _node(user, area):
    return resolve_scope(user, area_id=area.pk)


def test_trend_counts_raised_and_resolved_per_month(data, leader):
    chart = charts.trend(_node(leader, data.district_a), YEAR_2025)
    assert chart.labels[:3] == ["2025年1月", "2025年2月", "2025年3月"]
    assert len(chart.labels) == 12
    assert chart.series[0].name == "提出"
    assert chart.series[0].data == [2, 2, 1] + [0] * 9
    assert chart.series[1].data == [2, 0, 1] + [0] * 9  # t1, t7 in Jan; t2 in Mar


def test_trend_of_a_running_period_stops_at_today(data, leader):
    period = Period.year(2025, today=D(2025, 2, 14))
    chart = charts.trend(_node(leader, data.district_a), period)
    assert chart.labels == ["2025年1月", "2025年2月"]
    assert chart.series[0].data == [2, 2]


def test_by_category(data, leader):
    chart = charts.by_category(_node(leader, data.district_a), YEAR_2025)
    assert chart.labels == ["加装电梯", "停车难"]
    assert chart.series[0].data == [3, 2]  # t1 t4 t5 / t2 t3
    assert chart.series[1].data == [2, 1]  # t1 t7 / t2
    assert "加装电梯(3件)" in chart.summary


def test_funnel_counts_each_step_reached(data, leader):
    chart = charts.funnel(_node(leader, data.district_a), YEAR_2025)
    assert chart.labels == ["提出", "立项", "交办", "办结", "评价"]
    assert chart.series[0].data == [5, 4, 3, 2, 1]


def test_days_to_resolve(data, leader):
    chart = charts.days_to_resolve(_node(leader, data.district_a), YEAR_2025)
    assert chart.labels[0] == "7天以内"
    assert chart.series[0].data == [1, 0, 1, 1, 0, 0]  # 5, 16, 40 days
    assert chart.raw["days"] == {5: 1, 16: 1, 40: 1}


def test_sessions_by_form_counts_local_dates(data, leader):
    chart = charts.sessions_by_form(_node(leader, data.district_a), YEAR_2025)
    assert chart.labels == ["居民议事会", "月月谈"]
    assert chart.series[0].data == [3, 1]


def test_child_areas_at_city_and_venues_at_community(data, leader):
    chart = charts.child_areas(_node(leader, data.city), YEAR_2025)
    assert chart.labels == ["西陵区", "伍家岗区"]
    assert chart.series[0].data == [5, 1]
    assert chart.series[1].data == [3, 0]

    community = charts.child_areas(_node(leader, data.community_a), YEAR_2025)
    assert community.label_header == "阵地"
    assert community.labels == ["桃花岭协商驿站"]
    assert community.series[0].data == [4]  # t3 has no venue

    venue = charts.child_areas(resolve_scope(leader, venue_id=data.venue_a.pk), YEAR_2025)
    assert venue.is_empty and venue.labels == []


def test_charts_page_shows_each_chart_with_its_table(data, district_leader):
    url = reverse("dashboards:charts", args=[f"a{data.district_a.pk}"]) + YEAR_QUERY
    response = client_for(district_leader).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for slug in charts.CHARTS:
        assert f'data-chart="{slug}"' in html
        assert reverse("dashboards:chart_xlsx", args=[f"a{data.district_a.pk}", slug]) in html
    assert 'role="img"' in html and "<caption>" in html
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard-charts.js" in html
    assert 'id="chart-data"' in html
    funnel = response.context["chart_data"]["funnel"]
    assert funnel["series"][0]["data"] == [5, 4, 3, 2, 1]
    assert '<th scope="row">评价</th><td class="text-end">1</td>' in html
    # One wording for download buttons across the portal (the lists say the same).
    assert html.count("导出 Excel") == len(charts.CHARTS) and "下载 .xlsx" not in html


def test_echarts_is_served_from_node_modules():
    from django.contrib.staticfiles import finders

    path = finders.find("vendor/echarts/echarts.min.js")
    assert path is not None and "node_modules" in str(path)


def test_xlsx_cells_equal_the_chart(data, district_leader):
    node = f"a{data.district_a.pk}"
    client = client_for(district_leader)
    for slug in ("trend", "funnel", "category"):
        response = client.get(reverse("dashboards:chart_xlsx", args=[node, slug]) + YEAR_QUERY)
        assert response.status_code == 200
        assert "filename*=utf-8''" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        chart = charts.CHARTS[slug](_node(district_leader, data.district_a), YEAR_2025)
        values = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
        assert values[0] == chart.headers
        assert values[1 : 1 + len(chart.rows)] == chart.rows
    assert quote("西陵区_议题类别分布_20250101-20251231.xlsx") in response["Content-Disposition"]


def test_xlsx_file_name_and_formula_names_neutralised(world, district_leader):
    world.subdistrict_a.name = "=HYPERLINK(1)"
    world.subdistrict_a.save(update_fields=["name"])
    TopicFactory(area=world.subdistrict_a, raised_on=D(2025, 4, 1))
    url = reverse("dashboards:chart_xlsx", args=[f"a{world.district_a.pk}", "children"])
    response = client_for(district_leader).get(url + YEAR_QUERY)
    disposition = response["Content-Disposition"]
    assert f'filename="a{world.district_a.pk}_children_20250101-20251231.xlsx"' in disposition
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A5"].value == "'=HYPERLINK(1)"
    assert sheet["B5"].value == 1


def test_unknown_chart_is_404(world, district_leader):
    url = reverse("dashboards:chart_xlsx", args=[f"a{world.district_a.pk}", "nope"])
    assert client_for(district_leader).get(url).status_code == 404


@pytest.mark.parametrize("name", ["dashboards:charts", "dashboards:chart_xlsx"])
def test_beside_is_404_and_members_403(world, district_leader, member_user, name):
    def url(node):
        args = [node] if name == "dashboards:charts" else [node, "trend"]
        return reverse(name, args=args)

    leader = client_for(district_leader)
    assert leader.get(url(f"a{world.district_b.pk}")).status_code == 404
    assert leader.get(url(f"v{world.venue_b.pk}")).status_code == 404
    assert leader.get(url(f"a{world.city.pk}")).status_code == 404
    assert leader.get(url(f"v{world.venue_a.pk}")).status_code == 200
    assert client_for(member_user).get(url(f"a{world.district_a.pk}")).status_code == 403


def _grow(district, start: int, stop: int) -> None:
    """Child areas ``start``..``stop-1`` of ``district``, each with a venue, topics, a session."""
    for i in range(start, stop):
        sub = make_area(f"街道{i}", AreaLevel.SUBDISTRICT, district)
        venue = VenueFactory(name=f"驿站{i}", code=f"qc-{i:03d}", area=sub)
        TopicFactory(
            area=sub,
            venue=venue,
            raised_on=D(2025, 1 + i % 12, 3),
            status="resolved",
            resolved_on=D(2025, 1 + i % 12, 20),
        )
        TopicFactory(
            area=sub,
            venue=venue,
            raised_on=D(2025, 2, 1),
            status="rated",
            resolved_on=D(2025, 2, 2),
            rating="satisfied",
            rated_on=D(2025, 2, 3),
        )
        ConsultationFactory(venue=venue, held_at=_at(2025, 3, 1 + i, 19))


def test_query_count_same_for_2_and_20_child_areas(world, leader):
    district = make_area("点军区", AreaLevel.DISTRICT, world.city)
    client = client_for(leader)
    url = reverse("dashboards:charts", args=[f"a{district.pk}"]) + YEAR_QUERY

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    _grow(district, 0, 2)
    small, response = count()
    assert response.context["chart_data"]["children"]["series"][0]["data"] == [2, 2]
    _grow(district, 2, 20)
    large, response = count()
    assert response.context["chart_data"]["children"]["series"][0]["data"] == [2] * 20
    assert small == large
    assert large <= 17, large  # 9 for the six charts


def test_funnel_resolved_step_counts_the_current_status(data, leader):
    """A 2025 topic resolved in 2026 counts in the 2025 funnel's 办结 step, as in the
    resolution rate: both go by the topic's current status, like 立项."""
    TopicFactory(
        area=data.community_a,
        raised_on=D(2025, 12, 1),
        status="resolved",
        resolved_on=D(2026, 1, 3),
    )
    chart = charts.funnel(_node(leader, data.district_a), YEAR_2025)
    assert chart.series[0].data == [6, 5, 4, 3, 1]


# -- the charts count what the headline figures count ---------------------------------------
@pytest.mark.parametrize("area", ["city", "district_a", "community_a"])
@pytest.mark.parametrize(
    "period",
    [
        YEAR_2025,
        Period.quarter(2025, 1, today=D(2026, 6, 1)),
        Period.year(2025, today=D(2025, 2, 9)),
    ],
    ids=["year", "quarter", "running"],
)
def test_charts_agree_with_the_headline_figures(data, leader, area, period):
    from dashboards.figures import child_rows, compute

    node = _node(leader, getattr(data, area))
    figures = compute(node, period)

    trend = charts.trend(node, period)
    assert trend.series[0].total == figures["raised"]
    assert trend.series[1].total == figures["resolved"]

    funnel = charts.funnel(node, period).series[0].data
    assert funnel[0] == figures["raised"]
    assert funnel[1] == figures["accepted"]
    assert funnel[3] == figures["accepted_resolved"]

    days = charts.days_to_resolve(node, period)
    assert days.raw["days"] == figures["histogram"]
    assert days.series[0].total == figures["resolved"]

    category = charts.by_category(node, period)
    assert category.series[0].total == figures["raised"]
    assert category.series[1].total == figures["resolved"]

    assert charts.sessions_by_form(node, period).series[0].total == figures["sessions"]

    children = charts.child_areas(node, period)
    rows = child_rows(node, period)
    assert children.series[0].data == [row["raised"] for row in rows]
    assert children.series[1].data == [row["resolved"] for row in rows]
