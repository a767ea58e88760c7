"""What the member list exports."""

from consult_portal.exports import ExportColumn, ExportSpec

from .models import CommitteeLevel, Gender, PoliticalStatus

MEMBER_EXPORT = ExportSpec(
    basename="委员",
    ascii_name="members",
    columns=(
        ExportColumn("姓名", "name", width=10),
        ExportColumn("性别", "gender", choices=dict(Gender.choices), width=6),
        ExportColumn("民族", "ethnicity", width=8),
        ExportColumn("出生年份", "birth_year", width=10),
        ExportColumn("界别", "sector__name"),
        ExportColumn("政治面貌", "political_status", choices=dict(PoliticalStatus.choices)),
        ExportColumn("委员层级", "committee_level", choices=dict(CommitteeLevel.choices)),
        ExportColumn("所属政协", "area__name"),
        ExportColumn("届次", "term", width=6),
        ExportColumn("专委会", "special_committee"),
        ExportColumn("工作单位", "work_unit", width=24),
        ExportColumn("职务", "title"),
        ExportColumn("联系电话", "phone"),
        ExportColumn(
            "状态", func=lambda row: "在任" if row["is_active"] else "已停用", needs=("is_active",)
        ),
    ),
)
