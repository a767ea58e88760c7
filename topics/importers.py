"""Import topics (议题) from an office's ledger. Natural key: venue/area + title + raised date.

Topics are created through ``topic_create`` so each starts its timeline with the "raised" event.
A topic that already exists is skipped: an import never moves a topic along its lifecycle.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from consult_portal.importing.base import (
    SKIP,
    Column,
    Importer,
    ParsedRow,
    choice_parser,
    index_by,
    parse_date,
    parse_phone,
    parse_squashed,
)
from members.models import Member
from platforms.importing import AreaLookup
from platforms.models import Venue

from .models import Priority, Topic, TopicCategory, TopicSource
from .services.transitions import topic_create

SOURCES = {
    **{label: value for value, label in TopicSource.choices},
    "群众": TopicSource.RESIDENT,
    "居民反映": TopicSource.RESIDENT,
    "群众来信来访": TopicSource.RESIDENT,
    "委员": TopicSource.MEMBER,
    "委员反映": TopicSource.MEMBER,
    "交办": TopicSource.GOVERNMENT,
    "党委交办": TopicSource.GOVERNMENT,
    "政府交办": TopicSource.GOVERNMENT,
    "调研": TopicSource.RESEARCH,
    "网络": TopicSource.ONLINE,
    "网上征集": TopicSource.ONLINE,
}
PRIORITIES = {label: value for value, label in Priority.choices} | {
    "普通": Priority.LOW,
    "急": Priority.HIGH,
}


class TopicImporter(Importer):
    kind = "topics"
    label = "议题"
    on_existing = SKIP
    on_existing_note = (
        "已存在的议题(同一阵地或区划、同一标题、同一提出日期)跳过,"
        "不会重复创建,也不会改动其办理进度。"
    )
    columns = (
        Column(
            "title",
            "议题",
            ("议题名称", "议题标题", "标题", "问题", "问题名称", "事项", "协商议题"),
            required=True,
        ),
        Column(
            "description",
            "问题描述",
            ("描述", "具体情况", "情况说明", "内容", "详细描述", "问题详情"),
        ),
        Column(
            "category",
            "类别",
            ("议题类别", "分类", "问题类别", "议题分类", "类型"),
            required=True,
            parse=parse_squashed,
            help="如 老旧小区改造、加装电梯、停车难、养老服务(见议题类别表)。",
        ),
        Column(
            "source",
            "来源",
            ("议题来源", "问题来源"),
            parse=choice_parser(SOURCES, "来源"),
            help="、".join(TopicSource.labels) + ";留空为群众反映。",
        ),
        Column(
            "venue",
            "阵地",
            ("协商阵地", "阵地名称", "平台", "协商平台"),
            parse=parse_squashed,
            help="导入范围内的阵地名称;填写后议题归属该阵地所在区划。",
        ),
        Column(
            "area",
            "所属区划",
            ("社区", "所属社区", "社区(村)", "区域", "街道", "所在社区"),
            parse=parse_squashed,
            help="不填阵地时填写;都不填则为导入范围本身。",
        ),
        Column(
            "raised_on",
            "提出日期",
            ("征集日期", "反映日期", "提出时间", "征集时间", "反映时间", "日期"),
            required=True,
            parse=parse_date,
        ),
        Column(
            "priority",
            "紧急程度",
            ("紧急度", "优先级"),
            parse=choice_parser(PRIORITIES, "紧急程度"),
            help="一般 / 较急 / 紧急",
        ),
        Column(
            "resident_name", "群众姓名", ("反映人", "反映人姓名", "提出人"), parse=parse_squashed
        ),
        Column(
            "resident_phone",
            "群众电话",
            ("联系电话", "反映人电话", "联系方式", "电话"),
            parse=parse_phone,
        ),
        Column("raised_by_member", "提出委员", ("委员", "委员姓名"), parse=parse_squashed),
    )

    def prepare(self) -> None:
        self.areas = AreaLookup(self.area)
        self.categories = {c.name: c for c in TopicCategory.objects.all()}
        subtree = {"area__path__startswith": self.area.path}
        self.venues = index_by(
            Venue.objects.filter(**subtree).select_related("area"), lambda v: v.name
        )
        self.members = index_by(Member.objects.filter(**subtree), lambda m: m.name)

    def _one(self, row: ParsedRow, key: str, table: dict, what: str):
        found = table.get(row.data[key], [])
        if len(found) == 1:
            return found[0]
        if found:
            self.error(row, key, f"有 {len(found)} 个名为“{row.data[key]}”的{what},无法确定。")
        else:
            self.error(row, key, f"“{self.area.name}”范围内没有名为“{row.data[key]}”的{what}。")
        return None

    def clean(self, row: ParsedRow) -> None:
        data = row.data
        category = self.categories.get(data["category"])
        if category is None:
            shown = "、".join(self.categories)
            self.error(row, "category", f"类别“{data['category']}”不存在,可填:{shown}。")
        else:
            data["category"] = category
        data.setdefault("source", TopicSource.RESIDENT)
        area = None
        if "area" in data:
            try:
                area = self.areas.find(data["area"])
            except ValidationError as exc:
                self.error(row, "area", exc.messages[0])
        venue = self._one(row, "venue", self.venues, "阵地") if "venue" in data else None
        if venue is not None:
            if area is not None and not venue.area.path.startswith(area.path):
                self.error(row, "venue", f"阵地“{venue.name}”不在“{area.name}”内。")
            area = venue.area
        data["venue"] = venue
        data["area"] = area or self.area
        if "raised_by_member" in data:
            data["raised_by_member"] = self._one(row, "raised_by_member", self.members, "委员")

    def load_existing(self, rows: list[ParsedRow]) -> None:
        # A district may hold a hundred thousand topics: load only those with the sheet's titles.
        titles = {row.data["title"] for row in rows}
        topics = Topic.objects.filter(area__path__startswith=self.area.path, title__in=titles)
        self.existing = {
            (t.area_id, t.venue_id, t.title, t.raised_on): t
            for t in topics.only("pk", "area", "venue", "title", "raised_on")
        }

    def natural_key(self, row: ParsedRow) -> tuple:
        venue = row.data["venue"]
        return (
            row.data["area"].pk,
            venue.pk if venue else None,
            row.data["title"],
            row.data["raised_on"],
        )

    def find_existing(self, row: ParsedRow):
        return self.existing.get(self.natural_key(row))

    def validate_new(self, row: ParsedRow) -> None:
        self.validate_model(Topic(**row.data), row)

    def create(self, row: ParsedRow) -> Topic:
        # No mail per imported row: the staff member importing the sheet is the one to tell.
        return topic_create(actor=self.actor, note="由表格导入", notify_staff=False, **row.data)
