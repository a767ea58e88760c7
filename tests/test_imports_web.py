"""The import pages: who may use them, upload checks, the preview and the confirmation."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member
from topics.models import Topic

from .conftest import client_for
from .factories import UserFactory
from .import_sheets import MEMBER_HEADER, csv_bytes, member_rows, member_sheet, xlsx

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

GET_PAGES = [
    ("imports:index", {}),
    ("imports:upload", {"kind": "members"}),
    ("imports:template", {"kind": "venues"}),
    ("imports:done", {}),
]


def upload(client, data, name="名册.xlsx", kind="members", area=None):
    return client.post(
        reverse("imports:upload", kwargs={"kind": kind}),
        {"area": area, "file": SimpleUploadedFile(name, data)},
    )


def upload_files():
    return set(Path(settings.MEDIA_ROOT, "imports").glob("*"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads waiting for confirmation go to a directory of their own per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def no_role(db):
    return UserFactory(username="nobody")


@pytest.fixture
def staff_client(office_staff):
    return client_for(office_staff)


# --- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), GET_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("office_staff", 200),
        ("other_staff", 200),
        ("admin_user", 200),
        ("leader", 403),
        ("district_leader", 403),
        ("member_user", 403),
        ("no_role", 403),
    ],
)
def test_get_pages_by_role(request, world, name, kwargs, role, status):
    response = client_for(request.getfixturevalue(role)).get(reverse(name, kwargs=kwargs))
    assert response.status_code == status


@pytest.mark.parametrize(("name", "kwargs"), GET_PAGES)
def test_anonymous_goes_to_login(client, world, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["leader", "district_leader", "member_user"])
def test_upload_and_confirm_posts_are_forbidden_to_leaders_and_members(request, world, role):
    client = client_for(request.getfixturevalue(role))
    before = upload_files()
    response = upload(client, xlsx(member_sheet()), area=world.district_a.pk)
    assert response.status_code == 403
    assert upload_files() == before
    response = client.post(reverse("imports:confirm", kwargs={"token": "x" * 32}))
    assert response.status_code == 403
    assert not Member.objects.filter(name="张伟").exists()


def test_anonymous_posts_go_to_login(client, world):
    response = upload(client, xlsx(member_sheet()), area=world.district_a.pk)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(reverse("imports:confirm", kwargs={"token": "x" * 32}))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Member.objects.filter(name="张伟").exists()


def test_nav_link_for_staff_only(world, office_staff, leader):
    assert 'href="/imports/"' in client_for(office_staff).get(reverse("home")).content.decode()
    assert 'href="/imports/"' not in client_for(leader).get(reverse("home")).content.decode()


def test_unknown_kind_is_404(staff_client):
    assert staff_client.get(reverse("imports:upload", kwargs={"kind": "cats"})).status_code == 404
    assert staff_client.get(reverse("imports:template", kwargs={"kind": "cats"})).status_code == 404


# --- upload checks ------------------------------------------------------------------------


def test_area_outside_the_staff_scope_is_refused(world, staff_client):
    before = upload_files()
    response = upload(staff_client, xlsx(member_sheet()), area=world.district_b.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["area"]
    assert upload_files() == before


def test_area_choices_are_the_staff_scope(world, staff_client):
    response = staff_client.get(reverse("imports:upload", kwargs={"kind": "members"}))
    choices = {area.pk for area in response.context["form"].fields["area"].queryset}
    assert choices == {world.district_a.pk, world.subdistrict_a.pk}
    assert response.context["form"].fields["area"].initial == world.district_a.pk


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04" + b"\0" * 64, "名册.xls", "文件内容不是 .xls 表格"),
        (b"hello", "名册.txt", "只支持 .xlsx、.xls 和 .csv 文件。"),
        (b"%PDF-1.4", "名册.xlsx", "文件内容不是 .xlsx 表格"),
    ],
)
def test_bad_files_are_refused_with_a_message(world, staff_client, data, name, message):
    response = upload(staff_client, data, name=name, area=world.district_a.pk)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_files_over_5_mb_are_refused(world, staff_client):
    big = b"PK" + b"\0" * (5 * 1024 * 1024)
    response = upload(staff_client, big, area=world.district_a.pk)
    assert "文件不能超过 5 MB" in response.content.decode()


def test_template_download_has_the_headers(staff_client):
    response = staff_client.get(reverse("imports:template", kwargs={"kind": "members"}))
    assert response["Content-Type"].startswith("application/")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert headers[:4] == ["姓名*", "性别*", "界别*", "政治面貌*"]
    assert "联系电话" in headers
    assert workbook.worksheets[1].title == "填写说明"


# --- preview and confirm ------------------------------------------------------------------


def test_preview_then_confirm(world, staff_client):
    response = upload(staff_client, xlsx(member_sheet()), area=world.district_a.pk)
    assert response.status_code == 302
    preview_url = response.url
    token = re.search(r"/preview/([^/]+)/", preview_url).group(1)

    response = staff_client.get(preview_url)
    page = response.content.decode()
    assert "全部 2 行检查通过:将新建 2 条" in page
    assert "张伟" in page and "下沉到“桃花岭协商驿站”" in page
    assert "确认导入" in page
    assert not Member.objects.filter(name="张伟").exists()  # preview writes nothing

    response = staff_client.post(reverse("imports:confirm", kwargs={"token": token}))
    assert response.status_code == 302 and response.url == reverse("imports:done")
    assert Member.objects.filter(name__in=["张伟", "刘洋"], area=world.district_a).count() == 2
    done = staff_client.get(response.url)
    assert done.context["done"]["created"] == 2
    # The file is gone: confirming twice imports nothing twice.
    assert staff_client.post(reverse("imports:confirm", kwargs={"token": token})).status_code == 404

    # Importing the same sheet again: previewed as unchanged, no duplicates.
    response = upload(staff_client, xlsx(member_sheet()), area=world.district_a.pk)
    page = staff_client.get(response.url).content.decode()
    assert "将新建 0 条,更新 0 条,2 条无变化" in page
    token = re.search(r"/preview/([^/]+)/", response.url).group(1)
    staff_client.post(reverse("imports:confirm", kwargs={"token": token}))
    assert Member.objects.filter(name="张伟").count() == 1


def test_preview_lists_bad_rows_and_offers_no_confirm(world, staff_client):
    rows = member_sheet()
    rows[3][5] = "12345"  # 刘洋's phone, spreadsheet row 4
    response = upload(
        staff_client, csv_bytes(rows, "gbk"), name="名册.csv", area=world.district_a.pk
    )
    response = staff_client.get(response.url)
    page = response.content.decode()
    assert "有 1 处错误" in page
    assert "行 4, 列 联系电话: 请输入有效的手机号" in page
    assert "确认导入" not in page
    token = re.search(r"/preview/([^/]+)/", response.request["PATH_INFO"]).group(1)
    # Posting the confirmation anyway imports nothing.
    response = staff_client.post(reverse("imports:confirm", kwargs={"token": token}))
    assert response.status_code == 400
    assert not Member.objects.filter(name__in=["张伟", "刘洋"]).exists()


def test_empty_and_header_only_sheets_in_the_preview(world, staff_client):
    response = upload(staff_client, xlsx([]), area=world.district_a.pk)
    assert "表格是空的" in staff_client.get(response.url).content.decode()
    response = upload(staff_client, xlsx([MEMBER_HEADER]), area=world.district_a.pk)
    assert "表格只有表头" in staff_client.get(response.url).content.decode()


@pytest.mark.parametrize("other", ["admin_user", "other_staff"])
def test_a_token_works_only_for_its_uploader(request, world, office_staff, other):
    response = upload(client_for(office_staff), xlsx(member_sheet()), area=world.district_a.pk)
    token = re.search(r"/preview/([^/]+)/", response.url).group(1)
    client = client_for(request.getfixturevalue(other))
    assert client.get(response.url).status_code == 404
    assert client.post(reverse("imports:confirm", kwargs={"token": token})).status_code == 404
    assert not Member.objects.filter(name="张伟").exists()


def test_topics_through_the_web_write_events_with_the_staff_as_actor(world, office_staff):
    client = client_for(office_staff)
    data = xlsx(
        [
            ["议题", "类别", "阵地", "提出日期"],
            ["楼道堆物", "矛盾纠纷", "桃花岭协商驿站", "2024-06-01"],
        ]
    )
    response = upload(client, data, kind="topics", area=world.district_a.pk)
    token = re.search(r"/preview/([^/]+)/", response.url).group(1)
    client.get(response.url)  # the confirmation follows a finished preview
    client.post(reverse("imports:confirm", kwargs={"token": token}))
    topic = Topic.objects.get(title="楼道堆物")
    assert topic.events.get().actor == office_staff


# --- the preview issues the same number of queries for 2 rows and for 20 -------------------


def _sheet(kind, n):
    if kind == "members":
        return [MEMBER_HEADER] + [
            [i, f"委员{i}", "男", "经济界", "民建", f"1380013{i:04d}", "某单位", "桃花岭协商驿站"]
            for i in range(n)
        ]
    if kind == "venues":
        return [["阵地名称", "类型", "所属区划", "品牌"]] + [
            [f"驿站{i}", "协商驿站", "桃花岭社区", "有事好商量"] for i in range(n)
        ]
    if kind == "venues-no-area":  # rows found by name alone
        return [["阵地名称", "类型", "编号"]] + [
            [f"驿站{i}", "协商驿站", f"code-{i}"] for i in range(n)
        ]
    return [["议题", "类别", "阵地", "所属区划", "提出日期", "提出委员"]] + [
        [f"议题{i}", "停车难", "桃花岭协商驿站", "学院街道", "2024-01-02", "李明"] for i in range(n)
    ]


@pytest.mark.parametrize("sheet", ["members", "venues", "venues-no-area", "topics"])
def test_preview_query_count_does_not_grow_with_rows(world, staff_client, sheet):
    kind = sheet.split("-")[0]
    counts = []
    for n in (2, 20):
        response = upload(staff_client, xlsx(_sheet(sheet, n)), kind=kind, area=world.district_a.pk)
        with CaptureQueriesContext(connection) as queries:
            page = staff_client.get(response.url)
        assert page.context["result"]["ok"], page.context["result"]["errors"]
        assert len(page.context["rows"]) == n
        counts.append(len(queries))
        token = re.search(r"/preview/([^/]+)/", response.url).group(1)
        staff_client.post(reverse("imports:confirm", kwargs={"token": token}))
    assert counts[0] == counts[1], counts
    # Previewing the same sheet again: every row already exists (updates and skips).
    response = upload(staff_client, xlsx(_sheet(sheet, 20)), kind=kind, area=world.district_a.pk)
    with CaptureQueriesContext(connection) as queries:
        page = staff_client.get(response.url)
    assert page.context["result"]["created"] == 0
    assert len(queries) == counts[1], [q["sql"] for q in queries.captured_queries]


# --- columns nothing takes: a choice per column, kept from preview to confirmation ----------


def _token(url):
    return re.search(r"/preview/([^/]+)/", url).group(1)


def test_unknown_columns_are_chosen_in_the_preview_and_kept_for_the_confirmation(
    world, staff_client
):
    header = [*MEMBER_HEADER, "推荐单位", "研究方向", "空列"]  # columns 8, 9, 10
    rows = [
        [*member_rows()[0], "市工商联", "营商环境", ""],
        [*member_rows()[1], "", "基层医疗", ""],
    ]
    response = upload(staff_client, xlsx([header, *rows]), area=world.district_a.pk)
    preview_url, token = response.url, _token(response.url)
    page = staff_client.get(preview_url).content.decode()
    assert "有 2 处错误" in page
    assert "行 1, 列 推荐单位: 该列有数据,但列名无法识别" in page
    assert '<select class="form-select form-select-sm" name="column_8"' in page
    assert 'name="column_10"' not in page and "(空列,无需处理)" in page
    assert "确认导入" not in page
    # Confirming anyway imports nothing.
    assert staff_client.post(reverse("imports:confirm", kwargs={"token": token})).status_code == 400

    # A choice that is no field is not kept: the column stays undecided.
    response = staff_client.post(preview_url, {"column_8": "ignore", "column_9": "salary"})
    assert response.status_code == 302 and response.url == preview_url
    page = staff_client.get(preview_url).content.decode()
    assert "有 1 处错误" in page and "列 研究方向: 该列有数据" in page
    assert '<option value="ignore" selected>忽略此列(不导入)</option>' in page

    staff_client.post(preview_url, {"column_8": "ignore", "column_9": "focus_areas"})
    response = staff_client.get(preview_url)
    page = response.content.decode()
    assert "全部 2 行检查通过:将新建 2 条" in page
    assert '<option value="focus_areas" selected>关注领域</option>' in page
    assert "确认导入" in page
    assert "关注领域" in [c["label"] for c in response.context["columns"]]  # shown in the table

    response = staff_client.post(reverse("imports:confirm", kwargs={"token": token}))
    assert response.status_code == 302
    assert Member.objects.get(name="刘洋").focus_areas == "基层医疗"


def test_column_choices_of_another_users_upload_are_404(world, office_staff, other_staff):
    response = upload(client_for(office_staff), xlsx(member_sheet()), area=world.district_a.pk)
    other = client_for(other_staff)
    assert other.post(response.url, {"column_0": "ignore"}).status_code == 404


def test_xls_through_the_web(world, staff_client):
    data = (Path(__file__).parent / "fixtures" / "roster.xls").read_bytes()
    response = upload(staff_client, data, name="名册.xls", area=world.district_a.pk)
    assert response.status_code == 302
    page = staff_client.get(response.url).content.decode()
    assert "全部 2 行检查通过:将新建 2 条" in page and "编入“学院街道”联络委" in page
    staff_client.post(reverse("imports:confirm", kwargs={"token": _token(response.url)}))
    assert Member.objects.get(name="王建国").title == "副院长"


def test_template_and_upload_page_explain_the_combined_and_variant_columns(staff_client):
    response = staff_client.get(reverse("imports:template", kwargs={"kind": "members"}))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert "工作单位及职务" not in headers  # it stands in for 工作单位 + 职务
    assert {"工作单位", "职务", "下沉街道", "阵地角色"} <= set(headers)
    notes = {row[0]: row for row in workbook.worksheets[1].iter_rows(values_only=True)}
    assert "按最后一个空格、逗号或顿号拆分" in notes["工作单位及职务"][2]
    assert "联络街道、所在街道" in notes["下沉街道"][3]
    assert "角色、职务(阵地)" in notes["阵地角色"][3]
    assert "政治面貌" in notes and "党派" in notes["政治面貌"][3]
    assert any("--ignore-column" in (row[0] or "") for row in notes.values() if row)

    page = staff_client.get(reverse("imports:upload", kwargs={"kind": "members"}))
    text = page.content.decode()
    assert "各列说明和也可识别的列名" in text
    assert "也可识别:联络街道、所在街道" in text
    assert "支持 .xlsx、旧版 .xls 和 .csv" in text
