"""The leadership charts: plain data (labels + series) for one node and one period.

Each chart counts the same records as the headline figures (``records``), with one or two grouped
queries whatever the number of rows. The page draws them with ECharts and prints the same numbers
as a table beneath each chart; the table is also offered as an .xlsx file.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Substr, TruncMonth

from platforms.models import Area
from topics.lifecycle import ACCEPTED_STATES, TopicStatus
from topics.models import ConsultationForm

from . import records
from .periods import Period, _add_months
from .scope import DashboardScope

S = TopicStatus

# The lifecycle is a one-way path, so a topic's current status tells which steps it has passed.
# 交办 and after: referred to a department, whatever happened next.
# (Since issue 14 a topic may also be resolved, escalated or reported without a referral: the
# ``figures`` work counts these from the events; until then the states say it as before.)
REFERRED_STATES = frozenset(
    {
        S.REFERRED,
        S.IN_PROGRESS,
        S.REPLIED,
        S.RESOLVED,
        S.UNRESOLVED,
        S.ESCALATED,
        S.RATED,
        S.FOLLOW_UP,
        S.IMPLEMENTED,
    }
)


def funnel_steps(period: Period) -> tuple[tuple[str, Q | None], ...]:
    """Each step as a condition on the topics raised in the period. 立项 is the headline
    "accepted"; 办结 is now resolved (the resolution rate's numerator);
    评价 is those of them with a rating. Each step is inside the one before it."""
    resolved = records.resolved_now_q()
    return (
        ("提出", None),
        ("立项", Q(status__in=ACCEPTED_STATES)),
        ("交办", Q(status__in=REFERRED_STATES)),
        ("办结", resolved),
        ("评价", resolved & ~Q(rating="")),
    )


# Days from 提出 to 办结 (resolved_on − raised_on), inclusive ranges; the last one is open.
DAY_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 7, "7天以内"),
    (8, 15, "8–15天"),
    (16, 30, "16–30天"),
    (31, 60, "31–60天"),
    (61, 90, "61–90天"),
    (91, None, "90天以上"),
)


@dataclass(frozen=True)
class Series:
    name: str
    data: list[int]

    @property
    def total(self) -> int:
        return sum(self.data)


@dataclass(frozen=True)
class Chart:
    """One chart: what ECharts draws, the table printed beneath it and the .xlsx sheet."""

    slug: str
    title: str
    kind: str  # "line", "bar", "hbar" (horizontal bars) or "funnel"
    label_header: str  # the heading of the first column, e.g. 月份
    labels: list[str]
    series: list[Series]
    summary: str = ""  # one sentence for screen readers (aria-label)
    note: str = ""  # what is counted (口径)
    unit: str = "件"
    raw: dict = field(default_factory=dict, compare=False)  # inputs other code checks against

    @property
    def is_empty(self) -> bool:
        return not self.labels or not any(s.total for s in self.series)

    @property
    def headers(self) -> list[str]:
        return [self.label_header, *(s.name for s in self.series)]

    @property
    def rows(self) -> list[list]:
        return [[label, *(s.data[i] for s in self.series)] for i, label in enumerate(self.labels)]

    def as_json(self) -> dict:
        return {
            "slug": self.slug,
            "kind": self.kind,
            "labels": self.labels,
            "series": [{"name": s.name, "data": s.data} for s in self.series],
            "unit": self.unit,
        }


# -- helpers ------------------------------------------------------------------------------------
def _months(period: Period) -> list[datetime.date]:
    first = period.start.replace(day=1)
    last = period.effective_end.replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first = _add_months(first, 1)
    return months


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _top(labels: list[str], data: list[int]) -> tuple[str, int] | None:
    if not data or max(data) == 0:
        return None
    index = data.index(max(data))
    return labels[index], data[index]


# -- the charts ---------------------------------------------------------------------------------
def trend(node: DashboardScope, period: Period) -> Chart:
    """Topics raised and resolved per month (a month of a running period counts up to today)."""
    months = _months(period)
    raised = {
        _as_date(row["month"]): row["n"]
        for row in records.topics_raised(node, period)
        .annotate(month=TruncMonth("raised_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    resolved = {
        _as_date(row["month"]): row["n"]
        for row in records.topics_resolved(node, period)
        .annotate(month=TruncMonth("resolved_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    series = [
        Series("提出", [raised.get(m, 0) for m in months]),
        Series("办结", [resolved.get(m, 0) for m in months]),
    ]
    return Chart(
        slug="trend",
        title="提出与办结月度趋势",
        kind="line",
        label_header="月份",
        labels=[f"{m.year}年{m.month}月" for m in months],
        series=series,
        summary=f"按月统计:共提出{series[0].total}件议题,办结{series[1].total}件。",
        note="提出按提出日期计入月份,办结按办结日期计入月份;已合并的重复议题不计。",
    )


def by_category(node: DashboardScope, period: Period) -> Chart:
    """Topics raised and resolved in the period, per category (most raised first)."""
    raised = {
        row["category__name"]: row["n"]
        for row in records.topics_raised(node, period)
        .values("category__name")
        .annotate(n=Count("pk"))
        .order_by()
    }
    resolved = {
        row["category__name"]: row["n"]
        for row in records.topics_resolved(node, period)
        .values("category__name")
        .annotate(n=Count("pk"))
        .order_by()
    }
    names = sorted(set(raised) | set(resolved), key=lambda n: (-raised.get(n, 0), n))
    series = [
        Series("提出", [raised.get(n, 0) for n in names]),
        Series("办结", [resolved.get(n, 0) for n in names]),
    ]
    top = _top(names, series[0].data)
    summary = f"提出最多的类别是{top[0]}({top[1]}件)。" if top else "本期没有提出议题。"
    return Chart(
        slug="category",
        title="议题类别分布",
        kind="hbar",
        label_header="类别",
        labels=names,
        series=series,
        summary=summary,
        note="提出:本期提出的议题;办结:本期办结的议题(可能提出于更早的周期)。",
    )


def funnel(node: DashboardScope, period: Period) -> Chart:
    """Of the topics raised in the period, how many reached each step (by current status)."""
    steps = funnel_steps(period)
    aggregates = {
        name: Count("pk", filter=condition) if condition else Count("pk")
        for name, condition in steps
    }
    counts = records.topics_raised(node, period).aggregate(**aggregates)
    labels = [name for name, _ in steps]
    data = [counts[name] for name in labels]
    return Chart(
        slug="funnel",
        title="议题办理漏斗",
        kind="funnel",
        label_header="环节",
        labels=labels,
        series=[Series("议题数", data)],
        summary="本期提出的议题中:"
        + ",".join(f"{n}{c}件" for n, c in zip(labels, data, strict=True))
        + "。",
        note=(
            "对象是本期提出的议题(与“征集问题”相同);立项、交办按议题当前状态判断"
            "(流程单向推进,到达后一环节即已经过前面各环节);办结指目前已办结"
            "(与办结率的分子相同);评价指其中已有群众评价的。"
        ),
    )


def resolve_days(node: DashboardScope, period: Period) -> dict[int, int]:
    """Topics resolved in the period by whole days from 提出 to 办结 (one grouped query)."""
    days = ExpressionWrapper(F("resolved_on") - F("raised_on"), output_field=DurationField())
    rows = (
        records.topics_resolved(node, period)
        .annotate(days=days)
        .values("days")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, int] = {}
    for row in rows:
        key = row["days"].days
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def days_to_resolve(node: DashboardScope, period: Period) -> Chart:
    """How long the topics resolved in the period took, in day ranges."""
    counts = resolve_days(node, period)
    data = [
        sum(n for d, n in counts.items() if d >= low and (high is None or d <= high))
        for low, high, _ in DAY_BUCKETS
    ]
    labels = [label for _, _, label in DAY_BUCKETS]
    total = sum(data)
    summary = (
        f"本期办结{total}件议题,其中{data[0]}件在7天以内办结。" if total else "本期没有办结议题。"
    )
    return Chart(
        slug="days",
        title="办结用时分布",
        kind="bar",
        label_header="办结用时",
        labels=labels,
        series=[Series("议题数", data)],
        summary=summary,
        note="本期办结的议题,从提出日期到办结日期的天数。",
        raw={"days": counts},
    )


def sessions_by_form(node: DashboardScope, period: Period) -> Chart:
    """Sessions held in the period per consultation form (most first)."""
    labels_of = dict(ConsultationForm.choices)
    rows = records.sessions_held(node, period).values("form").annotate(n=Count("pk")).order_by()
    counts = {row["form"]: row["n"] for row in rows}
    forms = sorted(counts, key=lambda f: (-counts[f], labels_of.get(f, f)))
    labels = [labels_of.get(f, f) for f in forms]
    data = [counts[f] for f in forms]
    top = _top(labels, data)
    total = sum(data)
    summary = (
        f"本期举办协商活动{total}场,最多的形式是{top[0]}({top[1]}场)。"
        if top
        else "本期没有举办协商活动。"
    )
    return Chart(
        slug="forms",
        title="协商活动形式",
        kind="hbar",
        label_header="协商形式",
        labels=labels,
        series=[Series("活动场次", data)],
        summary=summary,
        note="本期举办的协商活动,按协商形式分组。",
        unit="场",
    )


def _children(node: DashboardScope) -> tuple[str, list, list, object]:
    """The children the overview ranks (``figures.child_rows``): child areas, or at the bottom
    of the tree the venues in use of the area. Returns (kind, children, keys, group expression)."""
    if node.is_venue:
        return "venue", [], [], None
    areas = list(node.child_areas().order_by("path"))
    if areas:
        child_len = len(node.area.path) + Area.steplen
        return "area", areas, [a.path for a in areas], Substr("area__path", 1, child_len)
    venues = list(records.venues(node).filter(area=node.area).order_by("name", "pk"))
    return "venue", venues, [v.pk for v in venues], F("venue_id")


def child_areas(node: DashboardScope, period: Period) -> Chart:
    """Raised and resolved per child area; at a community (no child areas), per venue in use.

    The same children and record sets as the overview's ranking (``figures.child_rows``, checked
    by a test), but only the two counts this chart shows, in one grouped query: the ranking also
    works out venues and members per child, which costs ten times as much on a city.
    """
    kind, children, keys, group = _children(node)
    counts: dict = {}
    if children:
        raised, resolved = records.raised_q(period), records.resolved_q(period)
        rows = (
            records.topics(node)
            .filter(raised | resolved)
            .annotate(child=group)
            .values("child")
            .annotate(raised=Count("pk", filter=raised), resolved=Count("pk", filter=resolved))
            .order_by()
        )
        counts = {row["child"]: row for row in rows}
    series = [
        Series("提出", [counts.get(k, {}).get("raised", 0) for k in keys]),
        Series("办结", [counts.get(k, {}).get("resolved", 0) for k in keys]),
    ]
    labels = [c.name for c in children]
    top = _top(labels, series[0].data)
    if node.is_venue:
        summary = "阵地没有下级,无需比较。"
    elif top:
        summary = f"提出议题最多的是{top[0]}({top[1]}件)。"
    else:
        summary = "本期各下级没有提出议题。"
    by_venue = kind == "venue"
    return Chart(
        slug="children",
        title="各阵地对比" if by_venue else "下级区划对比",
        kind="bar",
        label_header="阵地" if by_venue else "下级区划",
        labels=labels,
        series=series,
        summary=summary,
        note="与概览页的下级排名同一口径;本级直接记录、未落到下级区划(或阵地)的议题不在此图中。",
    )


CHARTS: dict[str, Callable[[DashboardScope, Period], Chart]] = {
    "trend": trend,
    "category": by_category,
    "funnel": funnel,
    "days": days_to_resolve,
    "forms": sessions_by_form,
    "children": child_areas,
}


def all_charts(node: DashboardScope, period: Period) -> list[Chart]:
    return [build(node, period) for build in CHARTS.values()]
