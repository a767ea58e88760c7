"""``import_members`` / ``import_venues`` / ``import_topics`` on the command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from members.models import Member
from platforms.models import Venue
from topics.models import Topic

from .import_sheets import MEMBER_HEADER, csv_bytes, member_sheet, xlsx


def run(name, path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_members_prints_a_summary_and_is_idempotent(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx(member_sheet()))
    out, _ = run("import_members", path, "--area", "西陵区")
    assert "导入完成(西陵区):新建 2, 更新 0, 无变化 0" in out
    assert "行 6: 已忽略(表格下方的说明或签名)" in out
    out, _ = run("import_members", path, "--area", "420502")  # by code
    assert "新建 0, 更新 0, 无变化 2" in out
    assert Member.objects.filter(name__in=["张伟", "刘洋"]).count() == 2


def test_import_members_gbk_csv_dry_run(world, tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes(member_sheet(), encoding="gbk"))
    out, _ = run("import_members", path, "--area", "西陵区", "--dry-run")
    assert "行 3: 新建 张伟(下沉到“桃花岭协商驿站”)" in out
    assert "试运行,未写入数据库:将新建 2, 更新 0, 无变化 0" in out
    assert not Member.objects.filter(name="张伟").exists()


def test_bad_rows_are_printed_and_the_command_fails(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    rows = [MEMBER_HEADER, [1, "张伟", "男", "经济界", "民建", "123", "", ""]]
    path.write_bytes(xlsx([*rows, [2, "刘洋", "女", "经济界", "民建", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="有 1 处错误,未导入任何数据"):
        call_command("import_members", str(path), "--area", "西陵区", stderr=err)
    assert err.getvalue().startswith("行 2, 列 联系电话: 请输入有效的手机号")
    assert not Member.objects.filter(name__in=["张伟", "刘洋"]).exists()


def test_exit_code_is_non_zero(world, tmp_path):
    path = tmp_path / "空.xlsx"
    path.write_bytes(xlsx([]))
    with pytest.raises(SystemExit) as exit_info:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "import_members", str(path), "--area", "西陵区"]).execute()
    assert exit_info.value.code != 0


def test_unknown_area_and_missing_file(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx(member_sheet()))
    with pytest.raises(CommandError, match="找不到区划“火星区”"):
        run("import_members", path, "--area", "火星区")
    with pytest.raises(CommandError, match="找不到文件"):
        run("import_members", tmp_path / "nope.xlsx", "--area", "西陵区")


def test_import_venues_and_topics(world, tmp_path):
    venues = tmp_path / "阵地.csv"
    venues.write_bytes(
        b"\xef\xbb\xbf"
        + csv_bytes(
            [["阵地名称", "类型", "所属区划"], ["学院街道议事厅", "协商议事厅", "学院街道"]]
        )
    )
    out, _ = run("import_venues", venues, "--area", "西陵区")
    assert "新建 1" in out
    assert Venue.objects.get(name="学院街道议事厅").area == world.subdistrict_a

    topics = tmp_path / "议题.xlsx"
    topics.write_bytes(
        xlsx(
            [
                ["议题", "类别", "阵地", "提出日期"],
                ["加装电梯", "加装电梯", "学院街道议事厅", "2024-05-01"],
            ]
        )
    )
    out, _ = run("import_topics", topics, "--area", "西陵区")
    assert "新建 1" in out
    topic = Topic.objects.get(title="加装电梯")
    assert topic.events.count() == 1
    out, _ = run("import_topics", topics, "--area", "西陵区")
    assert "新建 0, 更新 0, 无变化 1" in out
