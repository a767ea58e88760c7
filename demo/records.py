"""社情民意 and 协商成果 of the demo city (issue 15): reports numbered into each committee's
《社情民意》 by year, sent, some adopted at one or more levels, some with leaders' 批示; outcome
documents drawn from past sessions, with 批示 and 采纳 items followed by the units. Written in
bulk, with the authors' duties in step as ``proposals.services`` keeps them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from members.models import Duty, DutyKind, DutyStatus
from proposals.models import (
    Instruction,
    Level,
    Outcome,
    OutcomeItem,
    OutcomeKind,
    PublicOpinionReport,
    Recipient,
    ReportAdoption,
    ReportAuthor,
    ReportStatus,
)

if TYPE_CHECKING:
    from .build import DemoBuilder

SUBJECTS = (
    ("养老服务", "关于社区居家养老服务站运营经费不足的建议"),
    ("停车难", "关于老旧小区周边错时共享停车的建议"),
    ("加装电梯", "关于简化既有住宅加装电梯审批流程的建议"),
    ("燃气管道改造", "关于加快老旧燃气管道更新改造进度的建议"),
    ("营商环境", "关于进一步压减小微企业开办时间的建议"),
    ("托育", "关于发展普惠托育服务的建议"),
    ("农村饮水安全", "关于解决山区村组季节性缺水问题的建议"),
    ("乡村振兴", "关于扶持柑橘产业冷链仓储建设的建议"),
    ("道路修复", "关于城区背街小巷路面破损修复的建议"),
    ("污水处理", "关于集镇生活污水管网配套的建议"),
)
LEADERS = {
    Level.DISTRICT: ("区委书记", "区长", "常务副区长", "副区长"),
    Level.CITY: ("市委副书记", "副市长", "市政协主席"),
    Level.PROVINCE: ("副省长",),
}


def _leader(b: DemoBuilder, level: str) -> str:
    return f"{b.person()[0]}某某 {b.rng.choice(LEADERS.get(level, ('副市长',)))}"


def _later(b: DemoBuilder, day: dt.date, low: int, high: int) -> dt.date | None:
    later = day + dt.timedelta(days=b.rng.randint(low, high))
    return later if later <= b.yesterday else None


def build_records(b: DemoBuilder) -> None:
    committees = [(b.root, Level.CITY), *((d.area, Level.DISTRICT) for d in b.districts)]
    reports, authors_of, adoptions, instructions = [], {}, [], []
    for area, own_level in committees:
        members = [m for m in b.members if m.area_id == area.pk and m.is_active]
        if not members:
            continue
        for year in range(b.window_start.year, b.today.year + 1):
            start = max(dt.date(year, 1, 1), b.window_start)
            end = min(dt.date(year, 12, 31), b.yesterday)
            if start > end:
                continue
            count = min(40, max(3, len(members) // 2))
            days = sorted(b.day_between(start, end) for _ in range(count))
            number = 0
            for day in days:
                category, title = b.rng.choice(SUBJECTS)
                signers = b.rng.sample(members, k=min(len(members), b.pick({1: 7, 2: 2, 3: 1})))
                report = PublicOpinionReport(
                    area=area,
                    title=title,
                    body=f"{title}。\n\n一、基本情况\n二、存在问题\n三、建议",
                    category=category,
                    submitted_on=day,
                )
                recent = (b.yesterday - day).days < 10
                if recent and b.rng.random() < 0.6:
                    report.status = ReportStatus.SUBMITTED
                elif b.rng.random() < 0.12:
                    report.status = ReportStatus.REJECTED
                    report.reject_reason = "同类问题已编发,内容合并至相关期次。"
                else:
                    number += 1
                    report.issue_year, report.issue_number = year, number
                    report.status = ReportStatus.EDITED
                    sent = _later(b, day, 2, 15)
                    if sent is not None:
                        report.status, report.sent_on = ReportStatus.SENT, sent
                        report.sent_to = (
                            "市政协办公室" if own_level == Level.DISTRICT else "省政协办公室"
                        )
                reports.append(report)
                authors_of[id(report)] = signers
    b.save(PublicOpinionReport, reports, "社情民意")
    rows, duties = [], []
    for report in reports:
        for position, member in enumerate(authors_of[id(report)], start=1):
            author = ReportAuthor(report=report, member=member, position=position)
            if report.status in (ReportStatus.EDITED, ReportStatus.SENT):
                duty = Duty(
                    member=member,
                    kind=DutyKind.OPINION,
                    date=report.submitted_on,
                    title=report.title,
                    status=DutyStatus.DONE,
                    note=f"《社情民意》{report.issue_label}",
                )
                duties.append(duty)
                author.duty = duty
            rows.append(author)
        if report.sent_on is None:
            continue
        levels = [
            lv
            for lv, p in (
                (Level.DISTRICT, 0.35),
                (Level.CITY, 0.18),
                (Level.PROVINCE, 0.05),
                (Level.NATIONAL, 0.01),
            )
            if b.rng.random() < p and not (report.area_id == b.root.pk and lv == Level.DISTRICT)
        ]
        for level in levels:
            day = _later(b, report.sent_on, 3, 40)
            if day is not None:
                adoptions.append(
                    ReportAdoption(
                        report=report,
                        level=level,
                        adopted_on=day,
                        adopted_by=f"{level and Level(level).label}政协",
                    )
                )
        if levels and b.rng.random() < 0.5:
            day = _later(b, report.sent_on, 5, 30)
            if day is not None:
                level = levels[-1] if levels[-1] in LEADERS else Level.CITY
                instructions.append(
                    Instruction(
                        report=report,
                        leader=_leader(b, level),
                        level=level,
                        given_on=day,
                        text="请有关部门认真研究,提出具体措施。",
                    )
                )
    b.save(Duty, duties, "社情民意履职")
    b.save(ReportAuthor, rows, "社情民意作者")
    b.save(ReportAdoption, adoptions, "社情民意采用")
    build_outcomes(b, instructions)


def build_outcomes(b: DemoBuilder, instructions: list[Instruction]) -> None:
    districts = {d.area.path: d for d in b.districts}
    outcomes, sources, items = [], [], []
    past = [row for row in b.session_rows if row[0].held_at.date() < b.yesterday]
    for session, _attendances, _topics in b.rng.sample(
        past, k=min(len(past), 4 * len(districts) * b.scale.years + 4)
    ):
        area = session.venue.area
        district = next((d for p, d in districts.items() if area.path.startswith(p)), None)
        if district is None:
            continue
        day = timezone_date(session) + dt.timedelta(days=b.rng.randint(3, 20))
        if day > b.yesterday:
            continue
        kind = b.pick(
            {
                OutcomeKind.SUGGESTION: 5,
                OutcomeKind.BRIEF: 2,
                OutcomeKind.RESEARCH: 2,
                OutcomeKind.MOTION: 1,
            }
        )
        outcome = Outcome(
            area=district.area,
            kind=kind,
            title=f"关于“{session.title}”的{OutcomeKind(kind).label}",
            date=day,
            recipient=b.pick({Recipient.GOVERNMENT: 5, Recipient.PARTY: 2}),
            sent_on=day,
            summary="协商形成的主要共识和建议。",
        )
        outcomes.append(outcome)
        sources.append(session)
        units = list(district.departments.values())
        for n in range(b.rng.randint(1, 3)):
            if not units:
                break
            due = day + dt.timedelta(days=b.rng.choice((30, 60, 90, 180)))
            done = _later(b, day, 10, 150)
            items.append(
                OutcomeItem(
                    outcome=outcome,
                    text=f"采纳事项{n + 1}:落实协商建议",
                    unit=b.rng.choice(units),
                    due_on=due,
                    done_on=done,
                    progress="已按期推进。" if done else "正在推进。",
                )
            )
        if b.rng.random() < 0.4:
            given = _later(b, day, 2, 20)
            if given is not None:
                instructions.append(
                    Instruction(
                        outcome=outcome,
                        leader=_leader(b, Level.DISTRICT),
                        level=Level.DISTRICT,
                        given_on=given,
                        text="很好,请相关部门抓好落实。",
                    )
                )
    b.save(Outcome, outcomes, "协商成果")
    Through = Outcome.consultations.through
    Through.objects.bulk_create(
        [
            Through(outcome_id=o.pk, consultation_id=s.pk)
            for o, s in zip(outcomes, sources, strict=True)
        ]
    )
    b.save(OutcomeItem, items, "采纳事项")
    b.save(Instruction, instructions, "领导批示")


def timezone_date(session) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(session.held_at).date()
