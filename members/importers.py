"""Import members (委员) from an office's roster. Natural key: area + name + phone.

A row may name a venue the member is sent down to (下沉阵地); the member is then assigned to it
from the day of the import, unless already assigned there.
"""

from __future__ import annotations

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

ROLES = {label: value for value, label in AssignmentRole.choices}

_LEVEL_BY_AREA = {
    AreaLevel.PROVINCE: CommitteeLevel.PROVINCE,
    AreaLevel.CITY: CommitteeLevel.CITY,
}


class MemberImporter(Importer):
    kind = "members"
    label = "委员"
    lookup_fields = ("venue", "assignment_role")
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
            ("党派", "党派/政治面貌", "党派(政治面貌)", "政治面貌/党派", "党派或政治面貌"),
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
        Column("focus_areas", "关注领域", ("履职领域", "专长")),
        Column(
            "venue",
            "下沉阵地",
            ("阵地", "报到阵地", "所在阵地", "联系阵地"),
            help="导入范围内的阵地名称;填写后委员自导入当天起下沉到该阵地。",
        ),
        Column(
            "assignment_role",
            "阵地角色",
            ("下沉角色",),
            parse=choice_parser(ROLES, "阵地角色"),
            help="召集人 / 联络员 / 成员,默认成员。",
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
        elif "assignment_role" in data:
            self.error(row, "assignment_role", "填写了阵地角色,但没有填写下沉阵地。")
        if data.get("term", 1) > 50:
            self.error(row, "term", "届次应在 1 到 50 之间。")
        if row.ok and "committee_level" not in data:
            data["committee_level"] = _LEVEL_BY_AREA.get(
                data["area"].level, CommitteeLevel.DISTRICT
            )

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
        skip = ("name", "area", "venue", "assignment_role")
        return {k: v for k, v in row.data.items() if k not in skip}

    def changes(self, instance: Member, row: ParsedRow) -> dict:
        changed = {k: v for k, v in self._fields(row).items() if differs(instance, k, v)}
        venue = row.data.get("venue")
        if venue is not None and (instance.pk, venue.pk) not in self.assigned:
            changed["venue"] = venue
            row.notes.append(f"下沉到“{venue.name}”")
        return changed

    def validate_new(self, row: ParsedRow) -> None:
        if row.errors:
            return
        if row.data.get("venue") is not None:
            row.notes.append(f"下沉到“{row.data['venue'].name}”")
        self.validate_model(self._instance(row), row)

    def _instance(self, row: ParsedRow) -> Member:
        return Member(name=row.data["name"], area=row.data["area"], **self._fields(row))

    def _assign(self, member: Member, row: ParsedRow) -> None:
        Assignment.objects.create(
            member=member,
            venue=row.data["venue"],
            role=row.data.get("assignment_role", AssignmentRole.MEMBER),
            started_on=timezone.localdate(),
        )

    def create(self, row: ParsedRow) -> Member:
        member = self._instance(row)
        member.save()
        if row.data.get("venue") is not None:
            self._assign(member, row)
        return member

    def update(self, instance: Member, row: ParsedRow) -> None:
        changes = dict(row.changes)
        if changes.pop("venue", None) is not None:
            self._assign(instance, row)
        changes.pop("assignment_role", None)
        if changes:
            for name, value in changes.items():
                setattr(instance, name, value)
            instance.save(update_fields=[*changes, "updated_at"])
