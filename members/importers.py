"""Import members (委员) from an office's roster. Natural key: area + name + phone.

A row may name a venue the member is sent down to (下沉阵地), or a subdistrict whose liaison group
(街道联络委) the member belongs to (下沉街道); the member is then assigned to it from the day of
the import, unless already assigned there, with the row's role (角色). Rosters often write unit and
title in one cell (工作单位及职务): it is split into the two fields (``split_unit_title``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from consult_portal.importing.base import (
    Column,
    Importer,
    ParsedRow,
    choice_parser,
    differs,
    index_by,
    parse_phone,
    parse_positive_int,
    parse_squashed,
    parse_text,
    parse_year,
)
from platforms.importing import AreaLookup
from platforms.models import AreaLevel, Venue

from .models import (
    Assignment,
    AssignmentRole,
    CommitteeLevel,
    Gender,
    Member,
    PoliticalStatus,
    Sector,
)

GENDERS = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "男性": Gender.MALE,
    "女性": Gender.FEMALE,
    "M": Gender.MALE,
    "F": Gender.FEMALE,
}

POLITICAL_STATUSES = {
    **{label: value for value, label in PoliticalStatus.choices},
    "中共": PoliticalStatus.CPC,
    "中国共产党": PoliticalStatus.CPC,
    "共产党员": PoliticalStatus.CPC,
    "党员": PoliticalStatus.CPC,
    "中共预备党员": PoliticalStatus.CPC,
    "中国国民党革命委员会": PoliticalStatus.RCCK,
    "中国民主同盟": PoliticalStatus.CDL,
    "中国民主建国会": PoliticalStatus.CNDCA,
    "中国民主促进会": PoliticalStatus.CAPD,
    "中国农工民主党": PoliticalStatus.CPWDP,
    "农工民主党": PoliticalStatus.CPWDP,
    "农工": PoliticalStatus.CPWDP,
    "中国致公党": PoliticalStatus.CZGP,
    "九三": PoliticalStatus.JSS,
    "台湾民主自治同盟": PoliticalStatus.TDSGL,
    "无党派": PoliticalStatus.INDEPENDENT,
}

COMMITTEE_LEVELS = {
    **{label: value for value, label in CommitteeLevel.choices},
    "全国": CommitteeLevel.NATIONAL,
    "全国政协委员": CommitteeLevel.NATIONAL,
    "省": CommitteeLevel.PROVINCE,
    "省级": CommitteeLevel.PROVINCE,
    "省政协委员": CommitteeLevel.PROVINCE,
    "市": CommitteeLevel.CITY,
    "市级": CommitteeLevel.CITY,
    "市政协委员": CommitteeLevel.CITY,
    "区": CommitteeLevel.DISTRICT,
    "县": CommitteeLevel.DISTRICT,
    "区级": CommitteeLevel.DISTRICT,
    "县级": CommitteeLevel.DISTRICT,
    "区政协": CommitteeLevel.DISTRICT,
    "县政协": CommitteeLevel.DISTRICT,
    "区政协委员": CommitteeLevel.DISTRICT,
    "县政协委员": CommitteeLevel.DISTRICT,
}

ROLES = {
    **{label: value for value, label in AssignmentRole.choices},
    "组长": AssignmentRole.CONVENER,
    "联络人": AssignmentRole.LIAISON,
    "委员": AssignmentRole.MEMBER,
    "组员": AssignmentRole.MEMBER,
}

# Titles a combined 工作单位及职务 cell ends with, longest first when matched; the words in
# TITLE_PREFIXES in front of one belong to the title too (副院长, 党委副书记, 常务副主任).
TITLES = (
    "主任医师",
    "主治医师",
    "博士生导师",
    "高级工程师",
    "工程师",
    "秘书长",
    "董事长",
    "总经理",
    "总会计师",
    "总工程师",
    "理事长",
    "护士长",
    "负责人",
    "合伙人",
    "总裁",
    "总监",
    "院长",
    "校长",
    "园长",
    "所长",
    "局长",
    "处长",
    "科长",
    "部长",
    "厅长",
    "馆长",
    "站长",
    "厂长",
    "行长",
    "社长",
    "会长",
    "台长",
    "庭长",
    "队长",
    "组长",
    "主任",
    "主席",
    "书记",
    "主编",
    "经理",
    "董事",
    "监事",
    "教授",
    "讲师",
    "教师",
    "医师",
    "医生",
    "律师",
    "会计",
    "职工",
    "干部",
    "研究员",
    "调研员",
    "巡视员",
)
TITLE_PREFIXES = ("常务", "执行", "名誉", "党委", "党组", "党总支", "党支部", "支部", "副", "总")
_TITLES_LONGEST_FIRST = sorted(TITLES, key=len, reverse=True)
_SEPARATORS = " ,，、;；/"  # spaces, commas (ASCII or full-width), 、, semicolons, /
_LAST_SEPARATOR = re.compile(r"[ ,，、;；/]+(?=[^ ,，、;；/]+$)")


def _title_start(text: str) -> int | None:
    """Where the title ``text`` ends with begins (its prefixes included), or ``None``."""
    title = next((t for t in _TITLES_LONGEST_FIRST if text.endswith(t)), None)
    if title is None:
        return None
    cut = len(text) - len(title)
    while prefix := next((p for p in TITLE_PREFIXES if text[:cut].endswith(p)), None):
        cut -= len(prefix)
    return cut


def split_unit_title(value) -> tuple[str, str]:
    """A combined 工作单位及职务 cell as (unit, title).

    If the cell (before any 、) ends with a known title, that title and what follows it are the
    title and what comes before is the unit: "XX公司总经理" → ("XX公司", "总经理"), "XX医院党委
    书记、院长" → ("XX医院", "党委书记、院长"). Otherwise the cell is split at its last space,
    comma or 、: "宜昌市第一人民医院 副院长" → ("宜昌市第一人民医院", "副院长"). A cell with
    neither is all unit.
    """
    text = parse_text(value).strip(_SEPARATORS)
    head, sep, tail = text.partition("、")
    cut = _title_start(head)
    if cut:
        unit = head[:cut].strip(_SEPARATORS)
        if unit:
            return unit, head[cut:] + sep + tail
    last = _LAST_SEPARATOR.search(text)
    if last:
        return text[: last.start()], text[last.end() :]
    return text, ""


UNIT_TITLE_HELP = (
    "一格里同时写单位和职务时用这一列。以常见职务结尾(如 院长、总经理、主任、书记,可带“副”“常务”"
    "“党委”等前缀,多个职务用顿号连接)时,职务之前为工作单位;否则按最后一个空格、逗号或顿号拆分;"
    "都没有时整格作为工作单位。同时有单独的“工作单位”“职务”列时,以单独的列为准。"
)

_LEVEL_BY_AREA = {
    AreaLevel.PROVINCE: CommitteeLevel.PROVINCE,
    AreaLevel.CITY: CommitteeLevel.CITY,
}


class MemberImporter(Importer):
    kind = "members"
    label = "委员"
    lookup_fields = ("venue", "liaison_area", "assignment_role")
    columns = (
        Column(
            "name",
            "姓名",
            ("委员姓名", "名字", "委员"),
            required=True,
            parse=parse_squashed,
            help="再次导入时按“所属政协 + 姓名 + 联系电话”找到同一位委员并更新。",
        ),
        Column(
            "gender",
            "性别",
            (),
            required=True,
            parse=choice_parser(GENDERS, "性别"),
            help="男 / 女",
        ),
        Column(
            "sector",
            "界别",
            ("所属界别", "界别名称"),
            required=True,
            parse=parse_squashed,
            help="如 经济界、医药卫生界、中共、民盟。",
        ),
        Column(
            "political_status",
            "政治面貌",
            (
                "党派",
                "党派/政治面貌",
                "党派(政治面貌)",
                "政治面貌/党派",
                "政治面貌(党派)",
                "党派或政治面貌",
            ),
            required=True,
            parse=choice_parser(POLITICAL_STATUSES, "政治面貌"),
            help="、".join(PoliticalStatus.labels),
        ),
        Column(
            "committee_level",
            "委员层级",
            ("层级", "委员级别", "政协层级", "级别"),
            parse=choice_parser(COMMITTEE_LEVELS, "委员层级"),
            help="全国 / 省 / 市 / 县·区;留空按所属政协的层级。",
        ),
        Column(
            "area",
            "所属政协",
            ("所属区划", "所属地区", "区划"),
            parse=parse_squashed,
            help="导入范围内的区划名称或代码;留空则为导入范围本身。",
        ),
        Column(
            "phone",
            "联系电话",
            ("手机号码", "手机", "电话", "手机号", "联系方式", "移动电话", "电话号码"),
            parse=parse_phone,
        ),
        Column("ethnicity", "民族"),
        Column("birth_year", "出生年份", ("出生年月", "出生日期", "出生年"), parse=parse_year),
        Column("term", "届次", ("届别", "届"), parse=parse_positive_int),
        Column("special_committee", "专委会", ("所属专委会", "专门委员会")),
        Column("work_unit", "工作单位", ("单位", "工作单位名称")),
        Column("title", "职务", ("工作职务", "现任职务")),
        Column(
            "unit_and_title",
            "工作单位及职务",
            (
                "工作单位和职务",
                "工作单位及职务职称",
                "单位及职务",
                "单位和职务",
                "工作单位职务",
                "单位职务",
                "工作单位与职务",
            ),
            parse=split_unit_title,
            help=UNIT_TITLE_HELP,
            in_template=False,
        ),
        Column("focus_areas", "关注领域", ("履职领域", "专长")),
        Column(
            "venue",
            "下沉阵地",
            ("阵地", "报到阵地", "所在阵地", "联系阵地"),
            help="导入范围内的阵地名称;填写后委员自导入当天起下沉到该阵地。",
        ),
        Column(
            "liaison_area",
            "下沉街道",
            ("联络街道", "所在街道", "街道联络委", "下沉街道(乡镇)", "联络街道(乡镇)"),
            parse=parse_squashed,
            help="导入范围内的街道(乡镇)名称;填写后委员自导入当天起编入该街道的联络委。",
        ),
        Column(
            "assignment_role",
            "阵地角色",
            ("下沉角色", "角色", "职务(阵地)", "联络委角色"),
            parse=choice_parser(ROLES, "阵地角色"),
            help="召集人 / 联络员 / 成员(组长、联络人、组员也可),默认成员;用于下沉阵地和下沉街道。",
        ),
    )

    def prepare(self) -> None:
        self.areas = AreaLookup(self.area)
        self.sectors = {s.name: s for s in Sector.objects.all()}
        members = list(Member.objects.filter(area__path__startswith=self.area.path))
        self.by_key = {(m.area_id, m.name, m.phone): m for m in members}
        self.by_name = index_by(members, lambda m: (m.area_id, m.name))
        self.venues = index_by(
            Venue.objects.filter(area__path__startswith=self.area.path), lambda v: v.name
        )
        self.assigned = set(
            Assignment.objects.current()
            .filter(venue__area__path__startswith=self.area.path)
            .values_list("member_id", "venue_id")
        )
        self.liaison_assigned = set(
            Assignment.objects.current()
            .filter(area__path__startswith=self.area.path)
            .values_list("member_id", "area_id")
        )

    def clean(self, row: ParsedRow) -> None:
        data = row.data
        try:
            data["area"] = self.areas.find(data["area"]) if "area" in data else self.area
        except ValidationError as exc:
            self.error(row, "area", exc.messages[0])
        name = data["sector"]
        sector = self.sectors.get(name) or self.sectors.get(name + "界")
        if sector is None:
            self.error(row, "sector", f"界别“{name}”不在界别表中(可请管理员在后台添加)。")
        else:
            data["sector"] = sector
        if "venue" in data:
            found = self.venues.get(data["venue"], [])
            if len(found) == 1:
                data["venue"] = found[0]
            elif found:
                self.error(
                    row, "venue", f"有 {len(found)} 个名为“{data['venue']}”的阵地,无法确定。"
                )
            else:
                self.error(
                    row, "venue", f"“{self.area.name}”范围内没有名为“{data['venue']}”的阵地。"
                )
        if "liaison_area" in data:
            self._clean_liaison_area(row)
        if "assignment_role" in data and "venue" not in data and "liaison_area" not in data:
            self.error(row, "assignment_role", "填写了阵地角色,但没有填写下沉阵地或下沉街道。")
        if "unit_and_title" in data:
            # The preview shows the combined cell as written; the note says how it was split.
            unit, title = data.pop("unit_and_title")
            split = []
            if "work_unit" not in data:
                data["work_unit"] = unit
                split.append(f"工作单位“{unit}”")
            if title and "title" not in data:
                data["title"] = title
                split.append(f"职务“{title}”")
            if split:
                row.notes.append("工作单位及职务拆分为" + "、".join(split))
        if data.get("term", 1) > 50:
            self.error(row, "term", "届次应在 1 到 50 之间。")
        if row.ok and "committee_level" not in data:
            data["committee_level"] = _LEVEL_BY_AREA.get(
                data["area"].level, CommitteeLevel.DISTRICT
            )

    def _clean_liaison_area(self, row: ParsedRow) -> None:
        text = row.data["liaison_area"]
        area, message = None, ""
        for name in dict.fromkeys((text, text + "街道")):  # "学院" for 学院街道
            try:
                area = self.areas.find(name)
                break
            except ValidationError as exc:
                message = message or exc.messages[0]
        if area is None:
            self.error(row, "liaison_area", message.replace("区划", "街道(乡镇)"))
        elif area.level != AreaLevel.SUBDISTRICT:
            self.error(
                row,
                "liaison_area",
                f"“{area.name}”不是街道(乡镇),下沉街道请填写街道或乡镇的名称。",
            )
        else:
            row.data["liaison_area"] = area

    def natural_key(self, row: ParsedRow) -> tuple:
        return (row.data["area"].pk, row.data["name"], row.data.get("phone", ""))

    def find_existing(self, row: ParsedRow):
        found = self.by_key.get(self.natural_key(row))
        if found is not None:
            return found
        # Same name, and the existing record or the sheet has no phone yet: the same person,
        # if there is only one.
        same_name = self.by_name.get((row.data["area"].pk, row.data["name"]), [])
        phone = row.data.get("phone", "")
        candidates = [m for m in same_name if not phone or not m.phone]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            self.error(row, "phone", "有多位同名委员,请填写联系电话以区分。")
        return None

    def _fields(self, row: ParsedRow) -> dict:
        skip = ("name", "area", "venue", "liaison_area", "assignment_role")
        return {k: v for k, v in row.data.items() if k not in skip}

    def changes(self, instance: Member, row: ParsedRow) -> dict:
        changed = {k: v for k, v in self._fields(row).items() if differs(instance, k, v)}
        venue = row.data.get("venue")
        if venue is not None and (instance.pk, venue.pk) not in self.assigned:
            changed["venue"] = venue
            row.notes.append(f"下沉到“{venue.name}”")
        area = row.data.get("liaison_area")
        if area is not None and (instance.pk, area.pk) not in self.liaison_assigned:
            changed["liaison_area"] = area
            row.notes.append(f"编入“{area.name}”联络委")
        return changed

    def validate_new(self, row: ParsedRow) -> None:
        if row.errors:
            return
        if row.data.get("venue") is not None:
            row.notes.append(f"下沉到“{row.data['venue'].name}”")
        if row.data.get("liaison_area") is not None:
            row.notes.append(f"编入“{row.data['liaison_area'].name}”联络委")
        self.validate_model(self._instance(row), row)

    def _instance(self, row: ParsedRow) -> Member:
        return Member(name=row.data["name"], area=row.data["area"], **self._fields(row))

    def _assign(self, member: Member, row: ParsedRow, *, venue=None, area=None) -> None:
        Assignment.objects.create(
            member=member,
            venue=venue,
            area=area,
            role=row.data.get("assignment_role", AssignmentRole.MEMBER),
            started_on=timezone.localdate(),
        )

    def create(self, row: ParsedRow) -> Member:
        member = self._instance(row)
        member.save()
        if row.data.get("venue") is not None:
            self._assign(member, row, venue=row.data["venue"])
        if row.data.get("liaison_area") is not None:
            self._assign(member, row, area=row.data["liaison_area"])
        return member

    def update(self, instance: Member, row: ParsedRow) -> None:
        changes = dict(row.changes)
        if (venue := changes.pop("venue", None)) is not None:
            self._assign(instance, row, venue=venue)
        if (area := changes.pop("liaison_area", None)) is not None:
            self._assign(instance, row, area=area)
        changes.pop("assignment_role", None)
        if changes:
            for name, value in changes.items():
                setattr(instance, name, value)
            instance.save(update_fields=[*changes, "updated_at"])
