"""Browser journey: office staff import a member roster from a sheet, preview it, confirm."""

import pytest
from playwright.sync_api import expect

from members.models import Member

from ..import_sheets import csv_bytes, member_sheet, xlsx
from .conftest import fits, login, open_nav, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_staff_import_members_from_a_sheet(
    live_server, page, office_staff, world, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(page, live_server, "staff_a")
    open_nav(page)
    page.get_by_role("link", name="导入").click()
    page.get_by_role("link", name="导入委员").click()
    expect(page.get_by_label("表格文件")).to_be_visible()
    assert fits(page)
    screenshot(page, "import-upload")

    # A bad sheet first: the preview lists the error with row and column, offers no confirm.
    rows = member_sheet()
    rows[3][5] = "12345"
    bad = tmp_path / "名册.csv"
    bad.write_bytes(csv_bytes(rows, "gbk"))
    page.get_by_label("表格文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text("行 4, 列 联系电话: 请输入有效的手机号").first).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert fits(page)
    screenshot(page, "import-preview-errors")

    page.get_by_role("link", name="重新上传").click()
    # The corrected sheet has a column nothing takes (推荐单位): the preview names it and waits
    # for a choice before it offers the confirmation.
    rows = [list(row) for row in member_sheet()]  # the header row is a shared list
    rows[0].append(None)
    rows[1].append("推荐单位")
    rows[2].append("市工商联")
    rows[3].append("")
    good = tmp_path / "名册.xlsx"
    good.write_bytes(xlsx(rows, merges=["A1:I1"]))
    page.get_by_label("表格文件").set_input_files(str(good))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text("行 2, 列 推荐单位: 该列有数据,但列名无法识别")).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    choice = page.get_by_label("“推荐单位”列的处理方式")
    choice.scroll_into_view_if_needed()
    expect(choice).to_be_visible()
    assert fits(page)
    screenshot(page, "import-preview-unknown-column")
    choice.select_option(label="忽略此列(不导入)")
    page.get_by_role("button", name="保存选择并重新检查").click()
    expect(page.get_by_text("全部 2 行检查通过")).to_be_visible()
    screenshot(page, "import-preview")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(f"{live_server.url}/imports/done/")
    expect(page.get_by_role("heading", name="委员导入完成")).to_be_visible()
    expect(page.locator("#created")).to_have_text("2", use_inner_text=True)
    assert Member.objects.filter(name__in=["张伟", "刘洋"]).count() == 2
