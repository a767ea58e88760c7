"""Import venues (协商阵地) from an office's sheet. Natural key: area + name."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError

from consult_portal.importing.base import (
    Column,
    Importer,
    ParsedRow,
    choice_parser,
    differs,
    index_by,
    parse_date,
    parse_decimal,
    parse_phone,
    parse_squashed,
)

from .importing import AreaLookup
from .models import PlatformBrand, Venue, VenueKind

VENUE_KINDS = {
    **{label: value for value, label in VenueKind.choices},
    **{value: value for value in VenueKind.values},
    "委员工作站": VenueKind.LIAISON_STATION,
    "委员联络站": VenueKind.LIAISON_STATION,
    "联络站": VenueKind.LIAISON_STATION,
    "工作站": VenueKind.LIAISON_STATION,
    "议事厅": VenueKind.CONSULTATION_HALL,
    "驿站": VenueKind.CONSULTATION_STATION,
    "委员之家": VenueKind.MEMBERS_HOME,
    "会客厅": VenueKind.MEMBERS_PARLOUR,
    "商会协商议事室": VenueKind.BUSINESS_ROOM,
    "商事议事室": VenueKind.BUSINESS_ROOM,
    "议事室": VenueKind.VILLAGE_ROOM,
    "村协商议事室": VenueKind.VILLAGE_ROOM,
}

_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_venue_code() -> str:
    return "im-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class VenueImporter(Importer):
    kind = "venues"
    label = "协商阵地"
    lookup_fields = ("brand",)
    columns = (
        Column(
            "name",
            "阵地名称",
            ("名称", "平台名称", "阵地", "站点名称", "场所名称", "协商阵地"),
            required=True,
            help="同一区划内名称不重复;再次导入时按“所属区划 + 阵地名称”更新。",
        ),
        Column(
            "kind",
            "类型",
            ("阵地类型", "平台类型", "类别", "阵地类别"),
            required=True,
            parse=choice_parser(VENUE_KINDS, "类型"),
            help="、".join(VenueKind.labels),
        ),
        Column(
            "area",
            "所属区划",
            (
                "服务区域",
                "所在社区",
                "社区(村)",
                "社区",
                "村(社区)",
                "所在区域",
                "区域",
                "所属社区",
            ),
            parse=parse_squashed,
            help="导入范围内的街道或社区名称(或区划代码);留空则为导入范围本身。",
        ),
        Column("brand", "品牌", ("平台品牌", "所属品牌", "品牌名称")),
        Column("address", "地址", ("详细地址", "阵地地址", "所在地址")),
        Column("opening_hours", "开放时间", ("开放时段", "活动时间", "开放日")),
        Column(
            "contact_phone",
            "联系电话",
            ("电话", "联系方式", "手机", "手机号码", "联系电话号码"),
            parse=parse_phone,
        ),
        Column(
            "established_on",
            "建成日期",
            ("建成时间", "成立日期", "成立时间", "挂牌日期", "挂牌时间"),
            parse=parse_date,
        ),
        Column("code", "编号", ("公开编号", "阵地编号"), help="留空自动生成。"),
        Column("latitude", "纬度", (), parse=parse_decimal),
        Column("longitude", "经度", (), parse=parse_decimal),
    )

    def prepare(self) -> None:
        self.areas = AreaLookup(self.area)
        venues = Venue.objects.filter(area__path__startswith=self.area.path).select_related(
            "area", "brand"
        )
        self.existing = {(v.area_id, v.name): v for v in venues}
        self.by_name = index_by(venues, lambda v: v.name)
        self.brands = {b.name: b for b in PlatformBrand.objects.all()}
        self.codes = dict(Venue.objects.values_list("code", "pk"))
        self.sheet_codes: dict[str, int] = {}

    def clean(self, row: ParsedRow) -> None:
        data = row.data
        if "area" in data:
            try:
                data["area"] = self.areas.find(data["area"])
            except ValidationError as exc:
                self.error(row, "area", exc.messages[0])
                return
        else:
            # No area given: the venue of that name in the subtree, if there is exactly one.
            same_name = self.by_name.get(data["name"], [])
            if len(same_name) > 1:
                self.error(
                    row,
                    "area",
                    f"有 {len(same_name)} 个名为“{data['name']}”的阵地,请填写所属区划。",
                )
                return
            data["area"] = same_name[0].area if same_name else self.area
        brand = data.get("brand")
        if brand and brand not in self.brands:
            row.notes.append(f"将新建品牌“{brand}”")
        has_lat, has_long = "latitude" in data, "longitude" in data
        if has_lat != has_long:
            self.error(row, "longitude" if has_lat else "latitude", "经度和纬度需同时填写。")
        if has_lat and not -90 <= data["latitude"] <= 90:
            self.error(row, "latitude", "纬度应在 -90 到 90 之间。")
        if has_long and not -180 <= data["longitude"] <= 180:
            self.error(row, "longitude", "经度应在 -180 到 180 之间。")
        if "code" in data:
            code = data["code"]
            existing = self.existing.get((data["area"].pk, data["name"]))
            if code in self.codes and (existing is None or existing.pk != self.codes[code]):
                self.error(row, "code", f"编号“{code}”已被其他阵地使用。")
            elif code in self.sheet_codes:
                self.error(row, "code", f"编号“{code}”与第 {self.sheet_codes[code]} 行重复。")
            self.sheet_codes.setdefault(code, row.number)

    def natural_key(self, row: ParsedRow) -> tuple:
        return (row.data["area"].pk, row.data["name"])

    def find_existing(self, row: ParsedRow):
        return self.existing.get(self.natural_key(row))

    def _fields(self, row: ParsedRow) -> dict:
        return {k: v for k, v in row.data.items() if k not in ("name", "area", "brand")}

    def changes(self, instance: Venue, row: ParsedRow) -> dict:
        changed = {k: v for k, v in self._fields(row).items() if differs(instance, k, v)}
        brand = row.data.get("brand")
        if brand and (instance.brand is None or instance.brand.name != brand):
            changed["brand"] = brand
        return changed

    def _instance(self, row: ParsedRow) -> Venue:
        return Venue(
            name=row.data["name"],
            area=row.data["area"],
            code=row.data.get("code") or new_venue_code(),
            **{k: v for k, v in self._fields(row).items() if k != "code"},
        )

    def validate_new(self, row: ParsedRow) -> None:
        self.validate_model(self._instance(row), row)

    def _brand(self, name: str) -> PlatformBrand:
        brand, _ = PlatformBrand.objects.get_or_create(name=name, defaults={"area": self.area})
        self.brands[name] = brand
        return brand

    def create(self, row: ParsedRow) -> Venue:
        venue = self._instance(row)
        if row.data.get("brand"):
            venue.brand = self._brand(row.data["brand"])
        while "code" not in row.data and Venue.objects.filter(code=venue.code).exists():
            venue.code = new_venue_code()
        venue.full_clean()
        venue.save()
        return venue

    def update(self, instance: Venue, row: ParsedRow) -> None:
        if "brand" in row.changes:
            row.changes["brand"] = self._brand(row.changes["brand"])
        super().update(instance, row)
