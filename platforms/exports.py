"""What the venue list exports."""

from consult_portal.exports import ExportColumn, ExportSpec

from .models import VenueKind

VENUE_EXPORT = ExportSpec(
    basename="协商阵地",
    ascii_name="venues",
    columns=(
        ExportColumn("名称", "name", width=24),
        ExportColumn("编号", "code", width=10),
        ExportColumn("类型", "kind", choices=dict(VenueKind.choices)),
        ExportColumn("品牌", "brand__name"),
        ExportColumn("服务区域", "area__name"),
        ExportColumn("地址", "address", width=30),
        ExportColumn("联系电话", "contact_phone"),
        ExportColumn("开放时间", "opening_hours"),
        ExportColumn("建成日期", "established_on", width=12),
        ExportColumn("在册委员", "member_count", width=10),
        ExportColumn(
            "状态", func=lambda row: "在用" if row["is_active"] else "停用", needs=("is_active",)
        ),
    ),
)
