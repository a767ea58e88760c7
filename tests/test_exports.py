"""Every list exports what it shows (filtered, sorted, scoped) as CSV and XLSX."""

import csv
import datetime
import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from .conftest import client_for
from .factories import ReferralFactory, TopicFactory
from .test_query_counts import grow

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

ASCII_NAMES = {
    "topics:list": "topics",
    "topics:consultation_list": "consultations",
    "platforms:venue_list": "venues",
    "members:list": "members",
    "topics:department_list": "departments",
}
LISTS = [
    ("topics:list", "议题", ["查询码", "标题", "状态", "是否逾期"]),
    ("topics:consultation_list", "协商活动", ["举办时间", "主题", "阵地"]),
    ("platforms:venue_list", "协商阵地", ["名称", "编号", "类型"]),
    ("members:list", "委员", ["姓名", "性别", "民族"]),
    ("topics:department_list", "承办单位", ["名称", "单位类型", "所属区划", "联系人"]),
]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_csv(response) -> list[list[str]]:
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads the Chinese"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def export(user, name, fmt, **params):
    response = client_for(user).get(reverse(name), {**params, "export": fmt})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(("name", "basename", "headers"), LISTS)
def test_csv_has_bom_chinese_headers_and_a_dated_filename(office_staff, name, basename, headers):
    response = export(office_staff, name, "csv")
    ascii_name = ASCII_NAMES[name]
    assert response["Content-Type"].startswith("text/csv")
    stamp = timezone.localdate().strftime("%Y%m%d")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # The user's own area in the name (like the dashboard's workbooks); ASCII fallback kept.
    assert f"filename*=utf-8''{quote(f'{basename}_西陵区_{stamp}.csv')}" in disposition
    assert f'filename="{ascii_name}_{stamp}.csv"' in disposition
    rows = read_csv(response)
    assert rows[0][: len(headers)] == headers
    assert len(rows) == 2  # the header and district A's one row


@pytest.mark.parametrize(("name", "basename", "headers"), LISTS)
def test_xlsx_opens_with_openpyxl(office_staff, name, basename, headers):
    response = export(office_staff, name, "xlsx")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert quote(f"{basename}_西陵区_{stamp}.xlsx") in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert list(rows[0][: len(headers)]) == headers
    assert len(rows) == 2


def test_topic_export_is_filtered_and_sorted_like_the_list(office_staff, world):
    today = timezone.localdate()
    TopicFactory(
        title="逾期的路灯",
        area=world.community_a,
        status="referred",
        raised_on=today - datetime.timedelta(days=20),
        deadline=today - datetime.timedelta(days=1),
    )
    TopicFactory(title="刚提出的护栏", area=world.community_a, status="accepted")
    TopicFactory(title="别的状态", area=world.community_a, status="declined")

    rows = read_csv(
        export(office_staff, "topics:list", "csv", status=["referred", "accepted"], sort="title")
    )
    header, data = rows[0], rows[1:]
    titles = [row[header.index("标题")] for row in data]
    assert titles == sorted(["逾期的路灯", "刚提出的护栏"])
    by_title = {row[header.index("标题")]: row for row in data}
    assert by_title["逾期的路灯"][header.index("状态")] == "已交办"  # labels, not codes
    assert by_title["逾期的路灯"][header.index("是否逾期")] == "是"
    assert by_title["刚提出的护栏"][header.index("是否逾期")] == "否"
    assert (
        by_title["逾期的路灯"][header.index("提出日期")]
        == (today - datetime.timedelta(days=20)).isoformat()
    )
    # Private details never leave in an export.
    assert "群众电话" not in header and "13700001111" not in str(data)

    xlsx = read_xlsx(export(office_staff, "topics:list", "xlsx", overdue="1"))
    assert [row[1] for row in xlsx[1:]] == ["逾期的路灯"]
    raised = xlsx[1][xlsx[0].index("提出日期")]
    assert raised.date() == today - datetime.timedelta(days=20)  # a real date cell


def test_export_file_is_named_after_the_area_filtered_on(office_staff, admin_user, world):
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = export(office_staff, "topics:list", "csv", area=world.subdistrict_a.pk)
    assert quote(f"议题_学院街道_{stamp}.csv") in response["Content-Disposition"]
    # The session list filters by the venue's area under the same parameter name.
    response = export(office_staff, "topics:consultation_list", "xlsx", area=world.subdistrict_a.pk)
    assert quote(f"协商活动_学院街道_{stamp}.xlsx") in response["Content-Disposition"]
    # Who sees everything and filters on nothing gets no area in the name.
    response = export(admin_user, "topics:list", "csv")
    assert f"filename*=utf-8''{quote(f'议题_{stamp}.csv')}" in response["Content-Disposition"]


def test_topic_export_has_the_due_date_lead_unit_result_and_days(office_staff, world):
    today = timezone.localdate()
    referred = TopicFactory(
        title="交办未答复的路灯",
        area=world.community_a,
        status="referred",
        raised_on=today - datetime.timedelta(days=5),
    )
    ReferralFactory(
        topic=referred,
        department=world.department_a,
        role="lead",
        deadline=today + datetime.timedelta(days=10),
    )
    TopicFactory(
        title="已办结的护栏",
        area=world.community_a,
        status="resolved",
        raised_on=today - datetime.timedelta(days=12),
        resolved_on=today - datetime.timedelta(days=2),
        resolution_summary="护栏已修复",
    )

    rows = read_csv(export(office_staff, "topics:list", "csv"))
    header = rows[0]
    by_title = {row[1]: row for row in rows[1:]}
    assert {"办理期限", "主办单位", "办理结果", "办结用时(天)"} <= set(header)
    lamp, rail = by_title["交办未答复的路灯"], by_title["已办结的护栏"]
    # The referral's deadline, though the topic's own deadline is empty.
    assert lamp[header.index("办理期限")] == (today + datetime.timedelta(days=10)).isoformat()
    assert lamp[header.index("主办单位")] == "西陵区住建局"
    assert lamp[header.index("办结用时(天)")] == ""
    assert rail[header.index("办结用时(天)")] == "10"
    assert rail[header.index("办理结果")] == "护栏已修复"
    assert rail[header.index("主办单位")] == ""

    xlsx = read_xlsx(export(office_staff, "topics:list", "xlsx"))
    lamp_row = next(row for row in xlsx[1:] if row[1] == "交办未答复的路灯")
    assert lamp_row[xlsx[0].index("主办单位")] == "西陵区住建局"
    due = lamp_row[xlsx[0].index("办理期限")]
    assert due.date() == today + datetime.timedelta(days=10)  # a real date cell


def test_export_ignores_pagination(office_staff, world):
    for i in range(30):
        TopicFactory(title=f"电梯{i:02d}", area=world.community_a)
    rows = read_csv(export(office_staff, "topics:list", "csv", page=2))
    assert len(rows) == 1 + 31


def test_formulas_are_exported_as_text(office_staff, world):
    TopicFactory(title='=HYPERLINK("http://evil.example","点我")', area=world.community_a)
    csv_rows = read_csv(export(office_staff, "topics:list", "csv", q="HYPERLINK"))
    assert csv_rows[1][1].startswith("'=")
    xlsx_rows = read_xlsx(export(office_staff, "topics:list", "xlsx", q="HYPERLINK"))
    assert xlsx_rows[1][1].startswith("'=")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("name", "mine", "theirs"),
    [
        ("topics:list", "万达路段停车难", "桃花岭小区加装电梯"),
        ("platforms:venue_list", "万达议事厅", "桃花岭协商驿站"),
        ("members:list", "王芳", "李明"),
    ],
)
def test_exports_honour_scope(other_staff, world, fmt, name, mine, theirs):
    for params in ({}, {"area": world.district_a.pk}):
        response = export(other_staff, name, fmt, **params)
        cells = read_csv(response) if fmt == "csv" else read_xlsx(response)
        text = "\n".join(",".join(str(c) for c in row) for row in cells)
        assert theirs not in text
    response = export(other_staff, name, fmt)
    cells = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert mine in "\n".join(",".join(str(c) for c in row) for row in cells)


def test_session_and_department_exports_honour_scope(other_staff, world):
    sessions = read_csv(export(other_staff, "topics:consultation_list", "csv"))
    assert [row[1] for row in sessions[1:]] == [world.session_b.title]
    departments = read_csv(export(other_staff, "topics:department_list", "csv"))
    assert world.department_a.name not in str(departments)


@pytest.mark.parametrize("name", ["topics:list", "topics:department_list"])
def test_members_cannot_export(member_user, name):
    response = client_for(member_user).get(reverse(name), {"export": "csv"})
    assert response.status_code == 403


def test_unknown_export_format_renders_the_page(office_staff):
    response = client_for(office_staff).get(reverse("topics:list"), {"export": "pdf"})
    assert response.status_code == 200 and not response.streaming


def _count(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        data = body(response)
    if url.endswith("csv"):
        return len(ctx.captured_queries), data.count(b"\n") - 1
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return len(ctx.captured_queries), len(list(sheet.iter_rows(values_only=True))) - 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", [name for name, _, _ in LISTS])
def test_export_query_count_does_not_grow(office_staff, world, name, fmt):
    client = client_for(office_staff)
    url = f"{reverse(name)}?export={fmt}"
    grow(world, 1)
    small, small_rows = _count(client, url)
    grow(world, 18)
    large, large_rows = _count(client, url)
    assert (small_rows, large_rows) == (2, 20)
    assert small == large, f"{name} {fmt}: {small} queries for 2 rows, {large} for 20"
