"""``import_members`` / ``import_venues`` / ``import_topics`` on the command line."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from members.models import Member
from platforms.models import Venue
from topics.models import Topic

from .import_sheets import MEMBER_HEADER, csv_bytes, member_rows, member_sheet, xlsx


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


def _roster_with(tmp_path, header: list[str], cells: list[list[object]]):
    path = tmp_path / "名册.xlsx"
    rows = [row + extra for row, extra in zip(member_rows(), cells, strict=True)]
    path.write_bytes(xlsx([MEMBER_HEADER + header, *rows]))
    return path


def test_an_unknown_column_with_data_is_listed_and_the_command_refuses(world, tmp_path):
    path = _roster_with(tmp_path, ["推荐单位", "空列"], [["市工商联", ""], ["区工商联", ""]])
    err = io.StringIO()
    with pytest.raises(CommandError, match="有 1 处错误,未导入任何数据"):
        call_command("import_members", str(path), "--area", "西陵区", stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("行 1, 列 推荐单位: 该列有数据,但列名无法识别")
    assert lines[1] == (
        "列 推荐单位(如:市工商联、区工商联):"
        "用 --map-column 推荐单位=字段 导入,或 --ignore-column 推荐单位 忽略"
    )
    assert lines[2].startswith("可用的字段:姓名、性别、界别、政治面貌")
    assert "空列" not in err.getvalue()  # no data, no decision needed
    assert not Member.objects.filter(name="张伟").exists()


def test_ignore_column_and_map_column(world, tmp_path):
    path = _roster_with(
        tmp_path, ["推荐单位", "研究方向", "空列"], [["市工商联", "营商环境", ""], ["", "", ""]]
    )
    out, _ = run(
        "import_members",
        path,
        "--area",
        "西陵区",
        "--ignore-column",
        "推荐单位",
        "--map-column",
        "研究方向=关注领域",
    )
    assert "列 推荐单位: 已按要求忽略" in out
    assert "列 研究方向: 按要求导入到“关注领域”" in out
    assert "列 空列: 无法识别但没有数据,已忽略" in out
    assert "新建 2" in out
    assert Member.objects.get(name="张伟").focus_areas == "营商环境"


def test_bad_column_options_are_refused(world, tmp_path):
    path = _roster_with(tmp_path, ["研究方向"], [["营商环境"], [""]])
    with pytest.raises(CommandError, match="--map-column 应写成 列名=字段"):
        run("import_members", path, "--area", "西陵区", "--map-column", "研究方向")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_members",
            str(path),
            "--area",
            "西陵区",
            "--map-column",
            "研究方向=爱好",
            "--ignore-column",
            "不存在的列",
            stderr=err,
        )
    assert "表格中没有列“不存在的列”。" in err.getvalue()
    assert "没有名为“爱好”的字段" in err.getvalue()


def test_import_members_from_xls(world, tmp_path):
    source = Path(__file__).parent / "fixtures" / "roster.xls"
    path = tmp_path / "名册.xls"
    path.write_bytes(source.read_bytes())
    out, _ = run("import_members", path, "--area", "西陵区", "--dry-run")
    assert (
        "行 3: 新建 王建国(工作单位及职务拆分为工作单位“宜昌市第一人民医院”、职务“副院长”;"
        "编入“学院街道”联络委)"
    ) in out
    assert "试运行,未写入数据库:将新建 2, 更新 0, 无变化 0" in out
