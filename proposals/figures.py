"""社情民意 and 协商成果 figures for the dashboard and the work report (issue 15, part 6): a block
of its own beside the main figures (``dashboards.figures``), counted from the records on every
request in five aggregate queries whatever the rows. ``DEFINITIONS`` are its 口径说明 entries.

The caller passes the rows' area condition (``area_q("area")``-style: the node's area and every
area below it) and the period's first and last measured day, and the previous period's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Instruction, Level, Outcome, OutcomeItem, PublicOpinionReport, ReportAdoption


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    unit: str
    text: str


DEFINITIONS = (
    Definition(
        "opinion_submitted",
        "社情民意报送",
        "篇",
        "本期内提交(按提交日期)的社情民意信息篇数,归属于受理它的政协(区划),含委员个人、"
        "委员联名和政协办公室编写的;联名信息只计一篇。增长率与上期同口径相比。",
    ),
    Definition(
        "opinion_adopted",
        "社情民意采用",
        "次",
        "本期内(按采用日期)各级采用的次数,分区/县级、市级、省级、全国列出;同一篇被两级采用计两次,"
        "每一级只计一次。",
    ),
    Definition(
        "opinion_instructions",
        "社情民意领导批示",
        "件",
        "本期内(按批示日期)对本级及下级社情民意的领导批示件数,一位领导的一次批示计一件。",
    ),
    Definition(
        "outcomes_sent",
        "协商成果报送",
        "份",
        "本期内(按报送日期)报送党委、政府或承办单位的协商建议、要报、建议案和调研报告份数。",
    ),
    Definition(
        "outcome_instructions",
        "协商成果领导批示",
        "件",
        "本期内(按批示日期)对协商成果的领导批示件数。",
    ),
    Definition(
        "outcome_items_rate",
        "采纳事项落实率",
        "%",
        "完成时限在本期内(截至统计日)的采纳事项中,截至统计日已登记落实日期的比例;"
        "分母为到期事项数,分母为 0 时显示“—”。",
    ),
)


def _between(field: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def record_figures(
    *,
    area_q: Callable[[str], Q],
    start: datetime.date,
    end: datetime.date,
    previous_start: datetime.date,
    previous_end: datetime.date,
) -> dict:
    """The block's figures. ``area_q(lookup)`` gives the node's condition on an area lookup."""
    reports = PublicOpinionReport.objects.filter(area_q("area")).aggregate(
        now=Count("pk", filter=_between("submitted_on", start, end)),
        before=Count("pk", filter=_between("submitted_on", previous_start, previous_end)),
    )
    by_level = dict(
        ReportAdoption.objects.filter(area_q("report__area"), _between("adopted_on", start, end))
        .values_list("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    instructions = Instruction.objects.filter(_between("given_on", start, end)).aggregate(
        report=Count("pk", filter=area_q("report__area")),
        outcome=Count("pk", filter=area_q("outcome__area")),
    )
    outcomes_sent = Outcome.objects.filter(area_q("area"), _between("sent_on", start, end)).count()
    items = OutcomeItem.objects.filter(
        area_q("outcome__area"), _between("due_on", start, end)
    ).aggregate(due=Count("pk"), done=Count("pk", filter=Q(done_on__lte=end)))
    growth = (
        round(100 * (reports["now"] - reports["before"]) / reports["before"], 1)
        if reports["before"]
        else None
    )
    return {
        "opinion_submitted": reports["now"],
        "opinion_submitted_before": reports["before"],
        "opinion_growth": growth,
        "opinion_adopted": sum(by_level.values()),
        "opinion_adopted_by_level": [
            (label, by_level.get(value, 0)) for value, label in Level.choices
        ],
        "opinion_instructions": instructions["report"],
        "outcomes_sent": outcomes_sent,
        "outcome_instructions": instructions["outcome"],
        "outcome_items_due": items["due"],
        "outcome_items_done": items["done"],
        "outcome_items_rate": _rate(items["done"], items["due"]),
    }
