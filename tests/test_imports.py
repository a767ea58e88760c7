"""The sheet reader and the venue, member and topic importers, on sheets as offices keep them."""

import datetime
from pathlib import Path

import pytest

from consult_portal.importing.base import CREATE, SKIP, UPDATE
from consult_portal.importing.reader import ImportFileError, read_sheet
from members.importers import MemberImporter
from members.models import Assignment, Member
from platforms.importers import VenueImporter
from platforms.models import PlatformBrand, Venue
from topics.importers import TopicImporter
from topics.models import EventKind, Topic, TopicEvent

from .import_sheets import MEMBER_HEADER, csv_bytes, member_rows, member_sheet, xlsx

KNOWN = MemberImporter.known_headers()


def run_members(world, data, filename="名册.xlsx", **kwargs):
    return MemberImporter(area=world.district_a).run(data, filename, **kwargs)


# --- the reader --------------------------------------------------------------------------


def test_title_row_blank_rows_and_signature_are_not_data():
    data = xlsx(
        [
            ["西陵区政协委员名册"] + [None] * 7,
            [None] * 8,
            MEMBER_HEADER,
            member_rows()[0],
            [None] * 8,
            member_rows()[1],
            ["注:本表由区政协办公室填报"] + [None] * 7,
            ["填表人:王小红", None, None, "日期:2024-03-01"],
        ],
        merges=["A1:H1", "A7:H7"],
    )
    sheet = read_sheet(data, "a.xlsx", known_headers=KNOWN)
    assert sheet.header_row == 3
    assert [row.number for row in sheet.rows] == [4, 6]
    assert [number for number, _ in sheet.ignored] == [7, 8]


def test_merged_cells_are_filled_down():
    data = xlsx(
        [
            MEMBER_HEADER,
            [1, "张伟", "男", "经济界", "民建", "13800138000", "", ""],
            [2, "刘洋", "女", None, "民建", "13900139000", "", ""],
            [3, "陈静", "女", None, "民建", "13700137000", "", ""],
        ],
        merges=["D2:D4"],
    )
    sheet = read_sheet(data, "a.xlsx", known_headers=KNOWN)
    assert [row.values[3] for row in sheet.rows] == ["经济界"] * 3


def test_heading_merged_across_inside_the_table_is_skipped_not_imported():
    data = xlsx(
        [
            MEMBER_HEADER,
            ["一、经济界"] + [None] * 7,
            [1, "张伟", "男", "经济界", "民建", "13800138000", "", ""],
        ],
        merges=["A2:H2"],
    )
    sheet = read_sheet(data, "a.xlsx", known_headers=KNOWN)
    assert [row.number for row in sheet.rows] == [3]
    assert sheet.ignored == [(2, "跨列合并的标题或分组行")]


def test_full_width_spaces_in_headers_and_values(world):
    data = xlsx(
        [
            ["\u3000姓\u3000名\u3000", "性 别", "界别*", "政治面貌(必填)", "联系电话"],
            [
                "\u3000王\u3000芳\u3000",
                "女\u3000",
                "\u00a0经济界",
                "民盟",
                "１３９ ００１３ ９０００",
            ],
        ]
    )
    result = run_members(world, data)
    assert result.ok, [str(e) for e in result.errors]
    member = Member.objects.get(phone="13900139000")
    assert (member.name, member.gender, member.sector.name) == ("王芳", "F", "经济界")


@pytest.mark.parametrize(
    "header",
    [
        ["委员姓名", "性别", "界别", "党派", "手机"],
        ["姓名", "性别", "所属界别", "政治面貌", "电话"],
        ["姓 名", "性别", "界别", "党派/政治面貌", "联系电话"],
    ],
)
def test_header_variants(world, header):
    data = xlsx([header, ["赵磊", "男", "农业界", "九三学社", "13600136000"]])
    result = run_members(world, data)
    assert result.ok, [str(e) for e in result.errors]
    member = Member.objects.get(name="赵磊")
    assert (member.phone, member.political_status) == ("13600136000", "jss")


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("gbk", b""), ("gb18030", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b"")],
)
def test_csv_encodings(world, encoding, prefix):
    data = prefix + csv_bytes(member_sheet(), encoding=encoding)
    result = run_members(world, data, filename="名册.csv")
    assert result.ok, [str(e) for e in result.errors]
    assert result.committed
    assert set(Member.objects.filter(area=world.district_a).values_list("name", flat=True)) >= {
        "张伟",
        "刘洋",
    }


def test_csv_in_an_unknown_encoding_is_refused(world):
    result = run_members(world, b"\xff\xfe\xfd" * 10 + b"\x81", filename="a.csv")
    assert not result.ok


def test_empty_sheet_says_so(world):
    result = run_members(world, xlsx([]))
    assert [e.message for e in result.errors] == ["表格是空的,没有任何内容。请填写数据后再上传。"]
    result = run_members(world, b"\n\n,,,\n", filename="a.csv")
    assert "表格是空的" in result.errors[0].message


def test_sheet_with_only_a_header_says_so(world):
    result = run_members(world, xlsx([["委员名册"], MEMBER_HEADER, [None] * 8, ["填表人:张三"]]))
    assert not result.ok
    assert "只有表头(第 2 行)" in result.errors[0].message


def test_sheet_without_a_recognisable_header(world):
    result = run_members(world, xlsx([["甲", "乙"], [1, 2]]))
    assert "找不到表头" in result.errors[0].message


def test_missing_required_column(world):
    result = run_members(world, xlsx([["姓名", "性别", "联系电话"], ["张伟", "男", "13800138000"]]))
    assert "表头缺少必填列:界别、政治面貌" in result.errors[0].message
    assert not Member.objects.filter(name="张伟").exists()


def test_fake_xls_and_fake_xlsx_are_refused(world):
    result = run_members(
        world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="名册.xls"
    )
    assert "不是有效的 Excel (.xls)" in result.errors[0].message
    result = run_members(world, b"name,phone\n", filename="名册.xls")
    assert "不是有效的 Excel (.xls)" in result.errors[0].message
    result = run_members(world, b"PK\x03\x04 not really a zip", filename="名册.xlsx")
    assert "不是有效的 Excel" in result.errors[0].message
    with pytest.raises(ImportFileError):
        read_sheet(b"hello", "a.txt", known_headers=KNOWN)


# --- bad rows, all or nothing, idempotency ------------------------------------------------


def test_bad_rows_are_listed_with_row_number_and_column_and_nothing_is_imported(world):
    before = Member.objects.count()
    data = xlsx(
        [
            ["委员名册"],
            MEMBER_HEADER,
            [1, "张伟", "男", "经济界", "民建", "13800138000", "", ""],
            [2, "刘洋", "女", "天文界", "中共党员", "13900139000", "", ""],
            [3, "陈静", "未知", "经济界", "民建", "12345", "", ""],
            [4, "", "男", "经济界", "民建", "", "", ""],
            [5, "周强", "男", "经济界", "民建", "", "", "不存在的阵地"],
        ]
    )
    result = run_members(world, data)
    assert not result.committed
    messages = [str(e) for e in result.errors]
    assert messages[0] == "行 4, 列 界别: 界别“天文界”不在界别表中(可请管理员在后台添加)。"
    assert messages[1].startswith("行 5, 列 性别: 性别“未知”无法识别")
    assert messages[2].startswith("行 5, 列 联系电话: 请输入有效的手机号")
    assert messages[3] == "行 6, 列 姓名: 必填,不能为空。"
    assert messages[4] == "行 7, 列 下沉阵地: “西陵区”范围内没有名为“不存在的阵地”的阵地。"
    assert len(messages) == 5
    assert result.rows[0].ok and result.rows[0].action == CREATE
    assert Member.objects.count() == before


def test_a_row_naming_another_districts_area_is_refused(world):
    data = xlsx(
        [[*MEMBER_HEADER, "所属政协"], [1, "张伟", "男", "经济界", "民建", "", "", "", "伍家岗区"]]
    )
    result = run_members(world, data)
    assert [str(e) for e in result.errors] == [
        "行 2, 列 所属政协: “西陵区”范围内没有名为“伍家岗区”的区划。"
    ]


def test_the_same_person_twice_in_one_sheet(world):
    rows = member_rows()
    result = run_members(world, xlsx([MEMBER_HEADER, rows[0], rows[1], rows[0]]))
    assert [str(e) for e in result.errors] == ["行 4: 与第 2 行重复(同一条记录出现两次)。"]


def test_members_import_creates_then_reimport_changes_nothing(world):
    result = run_members(world, xlsx(member_sheet(), merges=["A1:H1"]))
    assert result.ok and result.committed
    assert (result.created, result.updated) == (2, 0)
    zhang = Member.objects.get(name="张伟", area=world.district_a)
    assert zhang.phone == "13800138000"
    assert zhang.committee_level == "district"
    assert Assignment.objects.filter(member=zhang, venue=world.venue_a, ended_on=None).count() == 1
    assert "下沉到“桃花岭协商驿站”" in result.rows[0].notes
    count = Member.objects.count()

    again = run_members(world, xlsx(member_sheet(), merges=["A1:H1"]))
    assert again.committed
    assert [row.action for row in again.rows] == [SKIP, SKIP]
    assert Member.objects.count() == count
    assert Assignment.objects.filter(member=zhang).count() == 1


def test_reimport_updates_changed_cells_and_keeps_blank_ones(world):
    run_members(world, xlsx(member_sheet()))
    rows = member_sheet()
    rows[2][6] = "宜昌新公司"  # work unit changed
    rows[3][6] = ""  # blank: keeps the stored value
    result = run_members(world, xlsx(rows))
    assert [row.action for row in result.rows] == [UPDATE, SKIP]
    assert result.rows[0].changes == {"work_unit": "宜昌新公司"}
    assert Member.objects.get(name="张伟").work_unit == "宜昌新公司"
    assert Member.objects.get(name="刘洋").work_unit == "西陵区医院"


def test_dry_run_writes_nothing(world):
    result = run_members(world, xlsx(member_sheet()), dry_run=True)
    assert result.ok and not result.committed
    assert result.created == 2
    assert not Member.objects.filter(name="张伟").exists()


def test_existing_member_matched_by_name_and_phone(world):
    # member_a (李明, 13911112222) already exists in 西陵区.
    data = xlsx([MEMBER_HEADER, [1, "李明", "男", "经济界", "中共", "139-1111-2222", "新单位", ""]])
    result = run_members(world, data)
    assert result.rows[0].action == UPDATE
    assert result.rows[0].instance == world.member_a
    assert Member.objects.filter(name="李明").count() == 1


# --- venues -------------------------------------------------------------------------------

VENUE_HEADER = ["阵地名称", "类型", "所在社区", "平台品牌", "地址", "开放时间", "联系电话"]


def test_venues_import_and_reimport(world):
    rows = [
        ["西陵区协商阵地一览表"],
        VENUE_HEADER,
        [
            "学院街道委员工作室",
            "委员工作室",
            "学院街道",
            "有事好商量",
            "学院路8号",
            "周一至周五",
            "0717-6221234",
        ],
        ["桃花岭协商驿站", "协商驿站", "桃花岭社区", "西陵议事", "桃花岭路2号", "", ""],
        ["说明:类型按省政协分类填写"],
    ]
    result = VenueImporter(area=world.district_a).run(xlsx(rows, merges=["A1:G1"]), "阵地.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert [row.action for row in result.rows] == [CREATE, UPDATE]
    studio = Venue.objects.get(name="学院街道委员工作室")
    assert (studio.kind, studio.area, studio.brand.name) == (
        "studio",
        world.subdistrict_a,
        "有事好商量",
    )
    assert studio.contact_phone == "0717-6221234"
    assert studio.code.startswith("im-")
    world.venue_a.refresh_from_db()
    assert world.venue_a.address == "桃花岭路2号"
    assert world.venue_a.brand.name == "西陵议事"
    assert PlatformBrand.objects.filter(name="西陵议事").exists()

    count = Venue.objects.count()
    again = VenueImporter(area=world.district_a).run(xlsx(rows), "阵地.xlsx")
    assert [row.action for row in again.rows] == [SKIP, SKIP]
    assert Venue.objects.count() == count


def test_venue_bad_kind_and_date(world):
    rows = [["名称", "类型", "建成日期"], ["新驿站", "咖啡馆", "2024-02-30"]]
    result = VenueImporter(area=world.district_a).run(xlsx(rows), "阵地.xlsx")
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("行 2, 列 类型: 类型“咖啡馆”无法识别,可填:委员工作室")
    assert messages[1].startswith("行 2, 列 建成日期: “2024-02-30”不是有效的日期")
    assert not Venue.objects.filter(name="新驿站").exists()


# --- topics -------------------------------------------------------------------------------

TOPIC_HEADER = ["序号", "议题名称", "问题描述", "议题类别", "来源", "协商阵地", "反映时间"]


def topic_rows():
    return [
        ["桃花岭社区议题台账"],
        TOPIC_HEADER,
        [
            1,
            "小区停车难",
            "晚间车位不足",
            "停车难",
            "群众反映",
            "桃花岭协商驿站",
            datetime.date(2024, 3, 5),
        ],
        [2, "路灯不亮", "", "道路修复", "", "", "2024年3月8日"],
    ]


def test_topics_import_writes_raised_events_and_reimport_skips(world, office_staff):
    importer = TopicImporter(area=world.district_a, actor=office_staff)
    result = importer.run(xlsx(topic_rows(), merges=["A1:G1"]), "议题.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    parking = Topic.objects.get(title="小区停车难")
    assert (parking.venue, parking.area, parking.status) == (
        world.venue_a,
        world.community_a,
        "raised",
    )
    assert parking.raised_on == datetime.date(2024, 3, 5)
    lamp = Topic.objects.get(title="路灯不亮")
    assert (lamp.area, lamp.venue, lamp.source) == (world.district_a, None, "resident")
    event = TopicEvent.objects.get(topic=parking)
    assert (event.kind, event.actor) == (EventKind.RAISED, office_staff)

    count = Topic.objects.count()
    again = TopicImporter(area=world.district_a, actor=office_staff).run(
        xlsx(topic_rows()), "议题.xlsx"
    )
    assert [row.action for row in again.rows] == [SKIP, SKIP]
    assert Topic.objects.count() == count


def test_topic_errors(world):
    rows = topic_rows()
    rows[2][3] = "天气"
    rows[3][5] = "万达议事厅"  # district B's venue: outside the import's scope
    result = TopicImporter(area=world.district_a).run(xlsx(rows), "议题.xlsx")
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("行 3, 列 类别: 类别“天气”不存在,可填:")
    assert messages[1] == "行 4, 列 阵地: “西陵区”范围内没有名为“万达议事厅”的阵地。"
    assert not Topic.objects.filter(title__in=["小区停车难", "路灯不亮"]).exists()


def test_venue_codes_must_be_unique(world):
    rows = [
        ["名称", "类型", "编号"],
        ["桃花岭协商驿站", "协商驿站", "xl-001"],  # its own code: fine
        ["新驿站", "协商驿站", "wjg-001"],  # district B's venue has it
        ["新驿站二", "协商驿站", "new-1"],
        ["新驿站三", "协商驿站", "new-1"],
        ["新驿站四", "协商驿站", "不是 slug"],
    ]
    result = VenueImporter(area=world.district_a).run(xlsx(rows), "阵地.xlsx")
    messages = [str(e) for e in result.errors]
    assert messages[:2] == [
        "行 3, 列 编号: 编号“wjg-001”已被其他阵地使用。",
        "行 5, 列 编号: 编号“new-1”与第 4 行重复。",
    ]
    assert messages[2].startswith("行 6, 列 编号: ")
    assert len(messages) == 3


def test_tab_separated_csv(world):
    text = "委员名册\n姓名\t性别\t界别\t党派\t手机\n赵磊\t男\t农业界\t民盟\t13600136000\n"
    result = run_members(world, text.encode("gbk"), filename="名册.csv")
    assert result.ok and result.committed
    assert Member.objects.get(name="赵磊").phone == "13600136000"


def test_two_row_header_with_merged_cells(world):
    data = xlsx(
        [
            ["委员名册"],
            ["姓名", "性别", "身份信息", None, "联系方式"],
            [None, None, "界别", "党派", None],
            ["赵磊", "男", "农业界", "民盟", "13600136000"],
        ],
        merges=["A2:A3", "B2:B3", "C2:D2", "E2:E3"],
    )
    result = run_members(world, data)
    assert result.ok, [str(e) for e in result.errors]
    assert result.header_row == 3
    assert Member.objects.get(name="赵磊").political_status == "cdl"


# --- columns nothing takes: listed, and the import waits for a decision (issue 16) ----------


def _roster(extra_header: list[str], extra_cells: list[list[object]]) -> bytes:
    rows = member_rows()
    return xlsx(
        [
            MEMBER_HEADER + extra_header,
            *(row + cells for row, cells in zip(rows, extra_cells, strict=True)),
        ]
    )


def test_an_unknown_column_with_data_stops_the_import_and_is_named(world):
    data = _roster(["推荐单位", "空列"], [["市工商联", ""], ["", ""]])
    result = run_members(world, data)
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "行 1, 列 推荐单位: 该列有数据,但列名无法识别,其中的数据不会导入。"
        "请选择它对应的字段,或选择“忽略此列”后再导入。"
    ]
    by_name = {c.name: c for c in result.unknown_columns}
    assert by_name["推荐单位"].samples == ["市工商联"] and by_name["推荐单位"].undecided
    # A header without data needs no decision; 序号 is a row counter, not an unknown column.
    assert not by_name["空列"].undecided
    assert "序号" not in by_name
    # Every row is still checked, so the preview can show them all.
    assert len(result.rows) == 2 and all(row.ok for row in result.rows)
    assert not Member.objects.filter(name="张伟").exists()


def test_an_unknown_column_ignored_on_purpose_imports(world):
    data = _roster(["推荐单位"], [["市工商联"], [""]])
    result = MemberImporter(area=world.district_a, column_choices={"推荐单位": "ignore"}).run(
        data, "名册.xlsx"
    )
    assert result.ok and result.committed and result.created == 2
    assert result.unknown_columns[0].choice == "ignore"


@pytest.mark.parametrize("field", ["focus_areas", "关注领域", "履职领域"])
def test_an_unknown_column_mapped_to_a_field_fills_it(world, field):
    data = _roster(["研究方向"], [["营商环境"], ["基层医疗"]])
    result = MemberImporter(area=world.district_a, column_choices={"研究方向": field}).run(
        data, "名册.xlsx"
    )
    assert result.ok, result.errors
    assert Member.objects.get(name="刘洋").focus_areas == "基层医疗"


def test_a_second_column_of_the_same_field_needs_a_decision(world):
    data = _roster(["联系电话"], [["13700137000"], [""]])  # 手机号码 is already the phone
    result = run_members(world, data)
    column = result.undecided_columns[0]
    assert (column.name, column.duplicate_of) == ("联系电话", "手机号码")
    assert "与列“手机号码”对应同一字段" in result.errors[0].message
    # Mapping it onto the field the first column fills is refused too.
    result = MemberImporter(area=world.district_a, column_choices={"联系电话": "phone"}).run(
        data, "名册.xlsx"
    )
    assert "选择了对应“联系电话”,但列“手机号码”已对应该字段" in result.errors[0].message
    assert not result.committed


def test_choices_naming_no_column_or_no_field_are_errors(world):
    importer = MemberImporter(
        area=world.district_a, column_choices={"不存在": "ignore", "工作单位": "薪水"}
    )
    messages = [
        e.message for e in importer.run(xlsx([MEMBER_HEADER, *member_rows()]), "a.xlsx").errors
    ]
    assert messages[0] == "表格中没有列“不存在”。"
    assert messages[1].startswith("没有名为“薪水”的字段,可选:姓名、性别、界别")


def test_a_recognised_column_can_be_ignored_on_purpose(world):
    importer = MemberImporter(area=world.district_a, column_choices={"工作单位": "ignore"})
    result = importer.run(xlsx([MEMBER_HEADER, *member_rows()]), "a.xlsx")
    assert result.committed
    assert Member.objects.get(name="张伟").work_unit == ""


# --- combined and variant columns ---------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "unit", "title"),
    [
        ("宜昌市第一人民医院 副院长", "宜昌市第一人民医院", "副院长"),
        ("XX公司总经理", "XX公司", "总经理"),
        ("宜昌市第一人民医院副院长", "宜昌市第一人民医院", "副院长"),
        ("XX医院党委书记、院长", "XX医院", "党委书记、院长"),
        ("XX局党组副书记、常务副局长", "XX局", "党组副书记、常务副局长"),
        ("三峡大学 教授、博士生导师", "三峡大学", "教授、博士生导师"),
        ("某某商贸有限公司,出纳", "某某商贸有限公司", "出纳"),  # no known title: last comma
        ("某某社区卫生服务站、护师", "某某社区卫生服务站", "护师"),
        ("个体经营户", "个体经营户", ""),  # nothing to split on: all unit
    ],
)
def test_split_unit_title(cell, unit, title):
    from members.importers import split_unit_title

    assert split_unit_title(cell) == (unit, title)


def test_combined_unit_and_title_column(world):
    header = ["姓名", "性别", "界别", "政治面貌", "手机号码", "工作单位及职务"]
    rows = [
        ["张伟", "男", "经济界", "民建", "13800138000", "宜昌市第一人民医院 副院长"],
        ["刘洋", "女", "经济界", "中共", "13900139000", "宜昌某公司总经理"],
    ]
    result = run_members(world, xlsx([header, *rows]))
    assert result.committed, result.errors
    assert result.rows[0].notes == [
        "工作单位及职务拆分为工作单位“宜昌市第一人民医院”、职务“副院长”"
    ]
    zhang = Member.objects.get(name="张伟")
    assert (zhang.work_unit, zhang.title) == ("宜昌市第一人民医院", "副院长")
    liu = Member.objects.get(name="刘洋")
    assert (liu.work_unit, liu.title) == ("宜昌某公司", "总经理")


def test_separate_unit_and_title_columns_win_over_the_combined_one(world):
    header = ["姓名", "性别", "界别", "政治面貌", "工作单位", "职务", "单位及职务"]
    rows = [["张伟", "男", "经济界", "民建", "宜昌某公司", "", "别的单位 董事长"]]
    result = run_members(world, xlsx([header, *rows]))
    assert result.committed, result.errors
    assert result.rows[0].notes == ["工作单位及职务拆分为职务“董事长”"]
    zhang = Member.objects.get(name="张伟")
    assert (zhang.work_unit, zhang.title) == ("宜昌某公司", "董事长")


@pytest.mark.parametrize(("street", "role"), [("下沉街道", "角色"), ("联络街道", "职务(阵地)")])
def test_subdistrict_column_assigns_to_its_liaison_group_with_the_role(world, street, role):
    header = ["姓名", "性别", "界别", "党派", "手机号码", street, role]
    rows = [
        ["张伟", "男", "经济界", "民建", "13800138000", "学院街道", "召集人"],
        ["刘洋", "女", "经济界", "中共", "13900139000", "学院", ""],  # 街道 left off; default role
    ]
    result = run_members(world, xlsx([header, *rows]))
    assert result.committed, result.errors
    assert result.rows[0].notes == ["编入“学院街道”联络委"]
    got = {
        (a.member.name, a.area, a.venue, a.role)
        for a in Assignment.objects.filter(area__isnull=False).select_related("member", "area")
    }
    assert got == {
        ("张伟", world.subdistrict_a, None, "convener"),
        ("刘洋", world.subdistrict_a, None, "member"),
    }
    # Importing again assigns nobody twice.
    again = run_members(world, xlsx([header, *rows]))
    assert again.unchanged == 2
    assert Assignment.objects.filter(area=world.subdistrict_a).count() == 2


def test_unknown_subdistrict_or_role_is_a_row_error(world):
    header = ["姓名", "性别", "界别", "党派", "所在街道", "角色"]
    rows = [
        ["张伟", "男", "经济界", "民建", "火星街道", ""],
        ["刘洋", "女", "经济界", "中共", "大公桥街道", ""],  # another district's subdistrict
        ["李明", "男", "经济界", "中共", "桃花岭社区", ""],  # a community, not a subdistrict
        ["赵磊", "男", "经济界", "中共", "学院街道", "主持人"],
        ["钱敏", "女", "经济界", "中共", "", "召集人"],  # a role with nowhere to hold it
    ]
    result = run_members(world, xlsx([header, *rows]))
    assert [str(e) for e in result.errors] == [
        "行 2, 列 下沉街道: “西陵区”范围内没有名为“火星街道”的街道(乡镇)。",
        "行 3, 列 下沉街道: “西陵区”范围内没有名为“大公桥街道”的街道(乡镇)。",
        "行 4, 列 下沉街道: “桃花岭社区”不是街道(乡镇),下沉街道请填写街道或乡镇的名称。",
        "行 5, 列 阵地角色: 阵地角色“主持人”无法识别,"
        "可填:召集人、联络员、成员、组长、联络人、委员、组员。",
        "行 6, 列 阵地角色: 填写了阵地角色,但没有填写下沉阵地或下沉街道。",
    ]
    assert not Assignment.objects.filter(area__isnull=False).exists()


# --- .xls ---------------------------------------------------------------------------------

ROSTER_XLS = Path(__file__).parent / "fixtures" / "roster.xls"


def test_xls_roster_imports_like_xlsx(world):
    """``fixtures/roster.xls`` is a real BIFF8 file written once with xlwt (see
    ``fixtures/make_roster_xls.py``): title merged across, 序号, a phone typed as a number, a
    date cell, a sector merged down, 工作单位及职务, 下沉街道 with 角色, a signature under it."""
    result = run_members(world, ROSTER_XLS.read_bytes(), filename="名册.xls")
    assert result.committed, result.errors
    assert result.header_row == 2 and result.ignored == [(6, "表格下方的说明或签名")]
    wang = Member.objects.get(name="王建国")
    assert (wang.phone, wang.birth_year, wang.sector.name) == ("13800138001", 1975, "经济界")
    assert (wang.work_unit, wang.title) == ("宜昌市第一人民医院", "副院长")
    li = Member.objects.get(name="李倩")
    assert (li.phone, li.sector.name, li.work_unit, li.title) == (
        "13900139001",
        "经济界",  # merged down from the row above
        "宜昌某公司",
        "总经理",
    )
    assert set(
        Assignment.objects.filter(area=world.subdistrict_a).values_list("role", flat=True)
    ) == {
        "convener",
        "member",
    }


def test_a_column_without_a_header_but_with_data_is_named_by_its_letter(world):
    rows = [[*row, "老委员"] for row in member_rows()]
    result = run_members(world, csv_bytes([[*MEMBER_HEADER, ""], *rows]), filename="名册.csv")
    assert [c.name for c in result.undecided_columns] == ["第 I 列"]
    result = MemberImporter(area=world.district_a, column_choices={"第 I 列": "ignore"}).run(
        csv_bytes([[*MEMBER_HEADER, ""], *rows]), "名册.csv"
    )
    assert result.committed


@pytest.mark.parametrize("header", ["党派", "政治面貌", "政治面貌(党派)", "党派/政治面貌"])
def test_party_and_political_status_headers(world, header):
    data = xlsx([["姓名", "性别", "界别", header], ["赵磊", "男", "农业界", "九三学社"]])
    assert run_members(world, data).committed


def test_a_header_written_twice_is_decided_apart_from_the_first(world):
    header = ["姓名", "性别", "界别", "党派", "联系电话", "联系电话"]
    rows = [["张伟", "男", "经济界", "民建", "13800138000", "13700137000"]]
    result = run_members(world, xlsx([header, *rows]))
    assert [c.name for c in result.undecided_columns] == ["联系电话(第 F 列)"]
    importer = MemberImporter(area=world.district_a, column_choices={"联系电话(第 F 列)": "ignore"})
    assert importer.run(xlsx([header, *rows]), "名册.xlsx").committed
    assert Member.objects.get(name="张伟").phone == "13800138000"  # the first one is kept


def test_mapping_an_unknown_column_can_supply_a_required_one(world):
    header = ["委员名称", "性别", "界别", "党派"]  # 委员名称 is no variant of 姓名
    rows = [["张伟", "男", "经济界", "民建"]]
    result = run_members(world, xlsx([header, *rows]))
    assert "表头缺少必填列:姓名" in result.errors[0].message
    assert [c.name for c in result.undecided_columns] == ["委员名称"]
    importer = MemberImporter(area=world.district_a, column_choices={"委员名称": "name"})
    assert importer.run(xlsx([header, *rows]), "名册.xlsx").committed
    assert Member.objects.filter(name="张伟").exists()
