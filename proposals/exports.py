"""What the report and outcome lists export: Chinese headers, labels not codes."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Subquery

from consult_portal.exports import ExportColumn, ExportSpec, yes_no

from .models import Level, OutcomeKind, Recipient, ReportAdoption, ReportAuthor, ReportStatus


def _report_annotations(queryset):
    lead = ReportAuthor.objects.filter(report=OuterRef("pk"), position=1)
    levels = {
        f"adopted_{level}": Exists(
            ReportAdoption.objects.filter(report=OuterRef("pk"), level=level)
        )
        for level in Level.values
    }
    return queryset.annotate(
        lead_author=Subquery(lead.values("member__name")[:1]),
        author_count=Count("authors", distinct=True),
        **levels,
    )


def _issue(row: dict) -> str:
    if row["issue_number"] is None:
        return ""
    return f"{row['issue_year']}年第{row['issue_number']}期"


REPORT_EXPORT = ExportSpec(
    basename="社情民意",
    ascii_name="opinion-reports",
    annotate=_report_annotations,
    columns=(
        ExportColumn("期号", func=_issue, needs=("issue_year", "issue_number"), width=14),
        ExportColumn("标题", "title", width=40),
        ExportColumn("第一作者", "lead_author", width=10),
        ExportColumn("作者人数", "author_count", width=8),
        ExportColumn("所属政协", "area__name"),
        ExportColumn("提交日期", "submitted_on", width=12),
        ExportColumn("状态", "status", choices=dict(ReportStatus.choices), width=10),
        ExportColumn("报送日期", "sent_on", width=12),
        *(
            ExportColumn(
                f"{label}采用",
                func=lambda row, v=value: yes_no(row[f"adopted_{v}"]),
                needs=(f"adopted_{value}",),
                width=10,
            )
            for value, label in Level.choices
        ),
        ExportColumn("批示数", "instruction_count", width=8),
    ),
)

OUTCOME_EXPORT = ExportSpec(
    basename="协商成果",
    ascii_name="outcomes",
    columns=(
        ExportColumn("标题", "title", width=40),
        ExportColumn("类型", "kind", choices=dict(OutcomeKind.choices), width=10),
        ExportColumn("成文日期", "date", width=12),
        ExportColumn("报送对象", "recipient", choices=dict(Recipient.choices), width=10),
        ExportColumn("报送单位", "recipient_unit__name", width=20),
        ExportColumn("报送日期", "sent_on", width=12),
        ExportColumn("批示数", "instruction_count", width=8),
        ExportColumn("采纳事项", "item_count", width=8),
        ExportColumn("已落实", "item_done", width=8),
    ),
)
