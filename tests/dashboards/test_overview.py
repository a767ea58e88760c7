"""The overview page: tiles equal to compute(), the sortable ranking, drill-down links, the
口径说明 page, and a query count that does not grow with the number of children."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult_portal import roles
from dashboards.figures import DEFINITIONS, child_rows, compute
from dashboards.templatetags.dashboard_figures import figure
from platforms.models import AreaLevel
from tests.conftest import client_for
from tests.factories import ConsultationFactory, TopicFactory, VenueFactory, make_area, make_staff

# Every test here reads the figure world, built once for the module (tests/dashboards/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fw_once")]

YEAR_2025 = {"period": "year", "year": "2025"}


@pytest.fixture
def city_leader(fw):
    return make_staff(fw.areas["C"], "leader_c", group=roles.GROUP_LEADER)


@pytest.fixture
def d1_leader(fw):
    return make_staff(fw.areas["D1"], "leader_d1", group=roles.GROUP_LEADER)


def overview_url(key: str) -> str:
    return reverse("dashboards:overview", args=[key])


def node_url(fw, name: str) -> str:
    if name.startswith("V"):
        return overview_url(f"v{fw.venues[name].pk}")
    return overview_url(f"a{fw.areas[name].pk}")


def test_tiles_show_compute_and_the_comparison(fw, city_leader):
    response = client_for(city_leader).get(overview_url(f"a{fw.areas['C'].pk}"), YEAR_2025)
    assert response.status_code == 200
    figures = compute(fw.node("C"), response.context["period"])
    tiles = {t["key"]: t for t in response.context["tiles"]}
    assert {k: t["value"] for k, t in tiles.items()} == {d.key: figures[d.key] for d in DEFINITIONS}
    html = response.content.decode()
    tile = html[html.index('id="tile-raised"') :]
    assert re.search(r"tile-value\">10<span[^>]*>件", tile)
    assert "比上期增加 8 件" in tile and "▲" in tile and "(向好)" in tile
    definitions = (
        r'href="/dashboard/definitions/\?node=a\d+&amp;period=year&amp;year=2025#def-raised"'
    )
    assert re.search(definitions, html)
    assert "上期无可比数据" in html[html.index('id="tile-satisfaction"') :]  # none rated in 2024
    assert "与上期(2024年)相比" in html


def test_ranking_rows_link_to_children_keeping_the_period(fw, city_leader):
    response = client_for(city_leader).get(overview_url(f"a{fw.areas['C'].pk}"), YEAR_2025)
    rows = response.context["rows"]
    assert [r["name"] for r in rows] == ["D1区", "D2区"]
    assert rows == child_rows(fw.node("C"), response.context["period"])
    html = response.content.decode()
    assert f'href="{node_url(fw, "D1")}?period=year&amp;year=2025"' in html
    assert 'data-label="办结率(%)"' in html  # the table stacks on a phone


@pytest.mark.parametrize(
    "sort,names,aria",
    [
        ("raised", ["D2区", "D1区"], "ascending"),
        ("-raised", ["D1区", "D2区"], "descending"),
        ("-participation", ["D1区", "D2区"], "descending"),  # D2 has "—": last either way
        ("participation", ["D1区", "D2区"], "ascending"),
        ("-name", ["D2区", "D1区"], "descending"),
        ("drop table", ["D1区", "D2区"], None),  # not whitelisted: tree order
    ],
)
def test_ranking_sorts_by_any_figure(fw, city_leader, sort, names, aria):
    response = client_for(city_leader).get(
        overview_url(f"a{fw.areas['C'].pk}"), {**YEAR_2025, "sort": sort}
    )
    assert [r["name"] for r in response.context["rows"]] == names
    html = response.content.decode()
    if aria:
        assert f'aria-sort="{aria}"' in html
        # Phones sort from a list (the table header is hidden there), with the period kept.
        assert f'<option value="{sort}" selected>' in html
        assert '<input type="hidden" name="year" value="2025">' in html
    else:
        assert "aria-sort" not in html
    assert "sort=" in html and "year=2025" in html.split("sort-link")[1]


def test_a_community_ranks_its_venues_and_a_venue_is_compared_with_them(fw, city_leader):
    client = client_for(city_leader)
    response = client.get(overview_url(f"a{fw.areas['K1'].pk}"), YEAR_2025)
    assert [r["name"] for r in response.context["rows"]] == ["V1驿站", "V2议事厅"]
    assert "各阵地排名" in response.content.decode()
    response = client.get(overview_url(f"v{fw.venues['V1'].pk}"), YEAR_2025)
    assert response.status_code == 200
    html = response.content.decode()
    assert "同区划阵地对比" in html
    assert [(r["name"], r["current"]) for r in response.context["rows"]] == [
        ("V1驿站", True),
        ("V2议事厅", False),
    ]
    assert '<strong aria-current="page">V1驿站</strong>' in html
    assert f'href="{node_url(fw, "V2")}?period=year&amp;year=2025"' in html
    tiles = {t["key"]: t["value"] for t in response.context["tiles"]}
    assert tiles["raised"] == 6 and tiles["five_ones"] == 100.0


def test_ranking_has_a_total_row_and_a_sort_select_of_every_figure(fw, city_leader):
    client = client_for(city_leader)
    response = client.get(node_url(fw, "C"), YEAR_2025)
    html = response.content.decode()
    total = re.search(r'<tr class="ranking-total">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", total)]
    own = compute(fw.node("C"), response.context["period"])
    assert cells == [figure(own[d.key]) for d in DEFINITIONS]
    assert "合计" in total
    values = {o["value"] for o in response.context["sort_options"]}
    assert {f"-{d.key}" for d in DEFINITIONS} <= values
    assert {d.key for d in DEFINITIONS} <= values
    # A venue is compared with its neighbours: no total row.
    venue = client.get(node_url(fw, "V1"), YEAR_2025).content.decode()
    assert "ranking-total" not in venue


def test_breadcrumb_leads_back_up_but_never_above_the_leader(fw, d1_leader):
    response = client_for(d1_leader).get(overview_url(f"v{fw.venues['V1'].pk}"), YEAR_2025)
    assert [c["name"] for c in response.context["breadcrumb"]] == ["D1区", "S1街道", "K1社区"]
    html = response.content.decode()
    assert f'href="{node_url(fw, "S1")}?period=year&amp;year=2025"' in html
    assert "C市" not in html


@pytest.mark.parametrize("target", ["C", "D2", "K3", "V3"])
def test_above_or_beside_the_leader_is_404(fw, d1_leader, target):
    key = f"v{fw.venues[target].pk}" if target.startswith("V") else f"a{fw.areas[target].pk}"
    assert client_for(d1_leader).get(overview_url(key)).status_code == 404


def test_members_may_not_open_the_dashboard(fw):
    from tests.factories import UserFactory

    user = UserFactory(username="m1", groups=[roles.GROUP_MEMBER])
    fw.members["M1"].user = user
    fw.members["M1"].save(update_fields=["user"])
    assert client_for(user).get(overview_url(f"a{fw.areas['D1'].pk}")).status_code == 403


def test_definitions_page_defines_every_figure(fw, city_leader):
    url = reverse("dashboards:definitions")
    response = client_for(city_leader).get(url, {"node": f"a{fw.areas['D1'].pk}", **YEAR_2025})
    assert response.status_code == 200
    html = response.content.decode()
    for d in DEFINITIONS:
        assert f'id="def-{d.key}"' in html
        assert d.text in html
    assert f'href="{node_url(fw, "D1")}?period=year&amp;year=2025"' in html
    response = client_for(city_leader).get(url, {"node": "javascript:alert(1)"})
    assert "返回看板" not in response.content.decode()


def _xlsx(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def _cells(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_overview_export_equals_the_dashboard(fw, city_leader):
    client = client_for(city_leader)
    url = reverse("dashboards:overview_xlsx", args=[f"a{fw.areas['C'].pk}"])
    response = client.get(url, {**YEAR_2025, "sort": "-raised"})
    workbook = _xlsx(response)
    period = client.get(node_url(fw, "C"), YEAR_2025).context["period"]
    figures = compute(fw.node("C"), period)
    previous = compute(fw.node("C"), period.previous())
    tiles = _cells(workbook["指标"])
    assert tiles[0][:2] == ["区划/阵地", "C市"]
    assert tiles[4] == ["指标", "本期", "单位", "上期", "变化", "较上期", "构成"]
    dash = lambda v: "—" if v is None else v  # noqa: E731
    by_label = {row[0]: row for row in tiles[5:]}
    assert len(by_label) == len(DEFINITIONS)
    for d in DEFINITIONS:
        row = by_label[d.label]
        assert row[1] == dash(figures[d.key]), d.key
        assert row[2] == d.unit
        assert row[3] == (dash(previous[d.key]) if d.compared else "—"), d.key
    assert by_label["征集问题"][4:6] == [8, "比上期增加 8 件"]

    ranking = _cells(workbook["排名"])
    assert ranking[0] == ["名称"] + [f"{d.label}({d.unit})" for d in DEFINITIONS]
    expected = {r["name"]: r for r in child_rows(fw.node("C"), period)}
    assert [row[0] for row in ranking[1:]] == ["D1区", "D2区", "合计"]  # the page's order
    for row in ranking[1:3]:
        assert row[1:] == [dash(expected[row[0]][d.key]) for d in DEFINITIONS]
    # 合计 is the city's own figures, the same as the tiles.
    assert ranking[3][1:] == [dash(figures[d.key]) for d in DEFINITIONS]
    notes = _cells(workbook["口径说明"])
    assert [n[1] for n in notes[1:]] == [d.text for d in DEFINITIONS]


def test_overview_export_is_scoped_like_the_page(fw, d1_leader):
    client = client_for(d1_leader)
    beside = reverse("dashboards:overview_xlsx", args=[f"a{fw.areas['D2'].pk}"])
    assert client.get(beside).status_code == 404
    venue = reverse("dashboards:overview_xlsx", args=[f"v{fw.venues['V1'].pk}"])
    workbook = _xlsx(client.get(venue, YEAR_2025))
    ranking = _cells(workbook["排名"])
    assert ranking[0] == ["名称"] + [f"{d.label}({d.unit})" for d in DEFINITIONS]
    # V1's community; a venue is compared with its neighbours: no 合计
    assert [row[0] for row in ranking[1:]] == ["V1驿站", "V2议事厅"]
    assert "V1驿站" in str(_cells(workbook["指标"])[0])


def _overview_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, YEAR_2025)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_overview_costs_the_same_at_every_level(fw, city_leader):
    """City, district, subdistrict, community and venue (a node with no children at all, like
    S2, skips the ranking's counts: there is nothing to count)."""
    client = client_for(city_leader)
    counts = {
        name: _overview_queries(client, node_url(fw, name))
        for name in ("C", "D1", "S1", "K1", "V1", "V3")
    }
    # A venue's page has no 社情民意 / 协商成果 block (they belong to a committee, issue 15):
    # five aggregate queries fewer (proposals.figures), the same at every area level.
    areas = {counts[name] for name in ("C", "D1", "S1", "K1")}
    venues = {counts[name] for name in ("V1", "V3")}
    assert len(areas) == 1 and len(venues) == 1, counts
    assert areas.pop() - venues.pop() == 5, counts


def test_overview_costs_the_same_for_2_children_and_20(fw, city_leader):
    client = client_for(city_leader)
    url = overview_url(f"a{fw.areas['C'].pk}")
    with_2 = _overview_queries(client, url)
    for i in range(18):
        district = make_area(f"加区{i}", AreaLevel.DISTRICT, fw.areas["C"])
        venue = VenueFactory(name=f"加站{i}", code=f"ov-x{i}", area=district)
        TopicFactory(area=district, venue=venue, raised_on=datetime.date(2025, 4, 1))
        ConsultationFactory(venue=venue, held_at=datetime.datetime(2025, 4, 2, tzinfo=datetime.UTC))
    with_20 = _overview_queries(client, url)
    assert with_20 == with_2
    response = client.get(url, YEAR_2025)
    assert len(response.context["rows"]) == 20


def test_a_bad_period_is_explained_next_to_its_field_and_keeps_what_was_typed(fw, city_leader):
    response = client_for(city_leader).get(
        node_url(fw, "C"), {"period": "custom", "start": "2025-03-01", "end": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    end = re.search(r'<input[^>]*name="end"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in end and 'aria-describedby="id_end_error"' in end
    assert "is-invalid" in end
    assert re.search(r'id="id_end_error"[^>]*>\s*<strong>自定义周期请填写结束日期。</strong>', html)
    start = re.search(r'<input[^>]*name="start"[^>]*>', html).group(0)
    assert 'value="2025-03-01"' in start and "is-invalid" not in start
    assert '<label for="id_end" class="form-label">结束日期</label>' in html
