"""The member's yearly record (履职档案, issue 15 part 5): sessions attended, 社情民意 with their
adoptions and 批示, outcomes of the sessions attended, duties, duty days, points and band, for one
member and one calendar year (Asia/Shanghai). It gathers ``members``, ``topics`` and
``proposals``, so it is assembled here, above all three. A fixed number of queries whatever the
rows (locked in tests/proposals/test_record.py)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django.http import FileResponse
from django.utils import timezone

from consult_portal.exports import _disposition, append_row
from members.models import Duty, DutyKind, DutyShift, DutyStatus, Member, ShiftStatus
from members.points import MemberPoints, member_points
from proposals.models import Outcome, PublicOpinionReport
from proposals.record import member_outcomes, member_reports
from topics.models import Attendance, AttendanceStatus


@dataclass
class YearRecord:
    member: Member
    year: int
    attended: list[Attendance]
    reports: list[PublicOpinionReport]
    outcomes: list[Outcome]
    duties: list[Duty]
    duty_days: list[DutyShift]
    points: MemberPoints

    @property
    def adoptions(self) -> int:
        return sum(len(r.adoptions.all()) for r in self.reports)

    @property
    def instructions(self) -> int:
        return sum(len(r.instructions.all()) for r in self.reports)


def year_record(*, member: Member, year: int) -> YearRecord:
    attended = list(
        Attendance.objects.filter(
            member=member, status=AttendanceStatus.PRESENT, consultation__held_at__year=year
        )
        .select_related("consultation__venue")
        .order_by("consultation__held_at", "pk")
    )
    # Duties kept in step with a report are listed with the report, not twice.
    duties = list(
        Duty.objects.filter(member=member, date__year=year)
        .exclude(status=DutyStatus.CANCELLED)
        .exclude(kind=DutyKind.OPINION, opinion_authorship__isnull=False)
        .select_related("venue")
        .order_by("date", "pk")
    )
    duty_days = list(
        DutyShift.objects.filter(member=member, date__year=year, status=ShiftStatus.DONE)
        .select_related("venue")
        .order_by("date", "slot")
    )
    return YearRecord(
        member=member,
        year=year,
        attended=attended,
        reports=member_reports(member.pk, year),
        outcomes=member_outcomes([a.consultation_id for a in attended], year),
        duties=duties,
        duty_days=duty_days,
        points=member_points([member], year)[member.pk],
    )


def _report_line(report: PublicOpinionReport) -> list:
    authors = "、".join(a.member.name for a in report.authors.all())
    adopted = "、".join(a.get_level_display() for a in report.adoptions.all())
    instructions = ";".join(
        f"{i.leader}({i.given_on:%Y-%m-%d}):{i.text}" for i in report.instructions.all()
    )
    return [
        report.submitted_on,
        report.title,
        report.issue_label,
        authors,
        report.get_status_display(),
        adopted,
        instructions,
    ]


def record_xlsx(record: YearRecord) -> FileResponse:
    """The record as a workbook: a summary sheet and one sheet per list (cells neutralised by
    ``append_row`` like every export)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("概况")
    append_row(summary, ["委员", record.member.name])
    append_row(summary, ["年度", record.year])
    append_row(summary, ["出席协商活动", len(record.attended)])
    append_row(summary, ["社情民意", len(record.reports)])
    append_row(summary, ["采用(层级次)", record.adoptions])
    append_row(summary, ["领导批示", record.instructions])
    append_row(summary, ["协商成果", len(record.outcomes)])
    append_row(summary, ["驻站值日(天次)", len(record.duty_days)])
    append_row(summary, ["履职积分", record.points.total])
    append_row(summary, ["等次", record.points.band])
    append_row(summary, [])
    append_row(summary, ["积分项", "次数", "得分"])
    for kind in record.points.kinds:
        if kind.count:
            append_row(summary, [kind.label, kind.count, kind.points])
    sheet = workbook.create_sheet("协商活动")
    append_row(sheet, ["日期", "活动", "阵地"])
    for a in record.attended:
        held = timezone.localtime(a.consultation.held_at).date()
        append_row(sheet, [held, a.consultation.title, a.consultation.venue.name])
    sheet = workbook.create_sheet("社情民意")
    append_row(sheet, ["提交日期", "标题", "期号", "作者", "状态", "采用", "批示"])
    for report in record.reports:
        append_row(sheet, _report_line(report))
    sheet = workbook.create_sheet("协商成果")
    append_row(sheet, ["成文日期", "类型", "标题", "报送对象", "批示数"])
    for o in record.outcomes:
        append_row(
            sheet,
            [o.date, o.get_kind_display(), o.title, o.recipient_label, len(o.instructions.all())],
        )
    sheet = workbook.create_sheet("其他履职")
    append_row(sheet, ["日期", "类型", "标题", "状态"])
    for d in record.duties:
        append_row(sheet, [d.date, d.get_kind_display(), d.title, d.get_status_display()])
    for s in record.duty_days:
        append_row(sheet, [s.date, "驻站值日", s.venue.name, "已值班"])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(
        handle,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"履职档案_{record.member.name}_{record.year}.xlsx"
    response["Content-Disposition"] = _disposition(name, f"record_{record.year}.xlsx")
    return response
