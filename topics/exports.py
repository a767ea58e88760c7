"""What the topic, session and department lists export: Chinese headers, labels not codes."""

from __future__ import annotations

from consult_portal.exports import ExportColumn, ExportSpec

from .lifecycle import TopicStatus
from .models import ConsultationForm, DepartmentKind, Priority, Rating, TopicSource
from .selectors import with_lead_unit


def days_to_resolve(row: dict) -> int | None:
    """办结用时(天): days from raised to resolved; None (an empty cell) while not resolved."""
    if row["resolved_on"] is None:
        return None
    return (row["resolved_on"] - row["raised_on"]).days


TOPIC_EXPORT = ExportSpec(
    basename="议题",
    ascii_name="topics",
    columns=(
        ExportColumn("查询码", "tracking_code", width=12),
        ExportColumn("标题", "title", width=40),
        ExportColumn("状态", "status", choices=dict(TopicStatus.choices), width=10),
        # ``overdue_now`` is annotated by selectors.with_overdue_flag (topics.rules).
        ExportColumn("是否逾期", "overdue_now", width=10),
        ExportColumn("类别", "category__name"),
        ExportColumn("来源", "source", choices=dict(TopicSource.choices)),
        ExportColumn("紧急程度", "priority", choices=dict(Priority.choices), width=10),
        ExportColumn("所属区划", "area__name"),
        ExportColumn("阵地", "venue__name", width=24),
        ExportColumn("提出日期", "raised_on", width=12),
        # ``due`` (topics.rules.with_due): the earliest unanswered referral's deadline or the
        # topic's own, the same date the list and the topic page show.
        ExportColumn("办理期限", "due", width=12),
        # ``lead_unit`` is annotated by selectors.with_lead_unit (through ``annotate``).
        ExportColumn("主办单位", "lead_unit", width=24),
        ExportColumn("办结日期", "resolved_on", width=12),
        ExportColumn(
            "办结用时(天)", func=days_to_resolve, needs=("raised_on", "resolved_on"), width=12
        ),
        ExportColumn("办理结果", "resolution_summary", width=40),
        ExportColumn("群众评价", "rating", choices=dict(Rating.choices), width=10),
    ),
    annotate=with_lead_unit,
)

CONSULTATION_EXPORT = ExportSpec(
    basename="协商活动",
    ascii_name="consultations",
    columns=(
        ExportColumn("举办时间", "held_at", width=18),
        ExportColumn("主题", "title", width=40),
        ExportColumn("阵地", "venue__name", width=24),
        ExportColumn("所属区划", "venue__area__name"),
        ExportColumn("协商形式", "form", choices=dict(ConsultationForm.choices)),
        ExportColumn("主持委员", "host__name", width=10),
        ExportColumn("出席委员", "present_count", width=10),
        ExportColumn("议题数", "topic_count", width=8),
        ExportColumn("群众代表", "residents_count", width=10),
        ExportColumn("企业代表", "enterprises_count", width=10),
        ExportColumn("专家", "experts_count", width=8),
        ExportColumn(
            "纪要", func=lambda row: "已录入" if row["minutes"] else "未录入", needs=("minutes",)
        ),
    ),
)

DEPARTMENT_EXPORT = ExportSpec(
    basename="承办单位",
    ascii_name="departments",
    columns=(
        ExportColumn("名称", "name", width=24),
        ExportColumn(
            "单位类型",
            func=lambda row: DepartmentKind(row["kind"]).label,
            needs=("kind",),
            width=14,
        ),
        ExportColumn("所属区划", "area__name"),
        ExportColumn("联系人", "contact_name", width=10),
        ExportColumn("联系电话", "contact_phone"),
        ExportColumn("累计交办", "referral_count", width=10),
        ExportColumn("在办交办", "open_count", width=10),
        ExportColumn("逾期交办", "overdue_count", width=10),
        ExportColumn(
            "状态", func=lambda row: "在用" if row["is_active"] else "停用", needs=("is_active",)
        ),
    ),
)
