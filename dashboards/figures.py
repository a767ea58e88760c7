"""The headline figures of a node and period — one definition each, counted by the database.

``compute(node, period)`` runs six aggregate queries whatever the data size (topics, the
resolution-time histogram, sessions, attendance, venues, members); ``child_rows(node, period)``
runs the same six grouped by child (the child area's path prefix, or the venue) plus one to list
the children, so the ranking costs the same for 2 children and 200. Both assemble figures from
the raw counts with the same function, so a figure is the same number on the dashboard, its
ranking, the export and the report. What each figure counts is in ``dashboards.records``;
``DEFINITIONS`` says it in words for the 口径说明 page.

Values: counts are ``int``; rates are percentages (``float``, 0–100, one decimal, half up);
``median_days`` is days (``float``, one decimal); a rate or median with nothing to divide by is
``None`` (shown as "—").
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)

from consult_portal.workdays import workdays_between
from members.models import Assignment, Member
from topics.lifecycle import OPEN_STATES, TopicStatus
from topics.models import Attendance, AttendanceStatus, Consultation, Topic

from . import activity, bits, coverage, records, summaries
from .models import COUNTERS, DaysKind, NodeCount, NodeResolveDays
from .periods import Period
from .scope import DashboardScope


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    unit: str
    text: str  # 口径: precise enough to check by hand
    higher_is_better: bool = True
    is_rate: bool = False
    compared: bool = True  # False: a "now" figure with no previous-period value


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "raised",
        "征集问题",
        "件",
        "所属区划(或阵地)在本节点内、提出日期(raised_on)在统计周期内的群众问题和议题数。"
        "已合并的重复问题(状态“已合并”)不计,只计合并后保留的一件;不予受理的计入。",
    ),
    Definition(
        "accepted",
        "受理问题",
        "件",
        "上述“征集问题”中,当前状态为已受理或其后任一状态的件数;不予受理、已合并、仍待受理的不计。"
        "按提出日期归属周期(本期受理的问题)。",
    ),
    Definition(
        "agenda_topics",
        "协商议题",
        "个",
        "列入协商活动议程的问题:在本节点内的阵地举办、举办时间在统计周期内的协商活动,"
        "其议程上的议题数(同一议题上了多场活动只计一个)。未列入任何活动议程的问题不是协商议题。",
    ),
    Definition(
        "accepted_resolved",
        "其中已办结",
        "件",
        "“受理问题”(本期受理)中,截至今日已办结(当前状态为已办结或其后状态)的件数;"
        "不会大于“受理问题”。",
    ),
    Definition(
        "resolution_rate",
        "办结率",
        "%",
        "“其中已办结”÷“受理问题”,即“本期受理的 N 件中已办结 M 件(截至今日)”。按问题当前状态计,"
        "周期结束后仍会随后续办结而上升;因此周期未结束时不与上期比较。分母为 0 时显示“—”。",
        is_rate=True,
    ),
    Definition(
        "resolved",
        "本期办结(含往期受理)",
        "件",
        "当前状态为已办结或其后状态,且办结日期(resolved_on)在统计周期内的件数,不论何时受理"
        "(上期受理、本期办结的计入本期),所以可能大于本期“受理问题”,也不是“办结率”的分子。",
    ),
    Definition(
        "on_time_rate",
        "按期办结率",
        "%",
        "主办单位办理期限在统计周期内的交办问题中,办结日期不晚于该期限的比例"
        "(按期办结件数 ÷ 期限在本期的交办件数);未办结的计入分母。",
        is_rate=True,
    ),
    Definition(
        "avg_days",
        "平均办理天数",
        "工作日",
        "本期办结且经过交办的问题,从首次交办日期到办结日期的工作日数(按国务院节假日和调休安排,"
        "交办当天不计,办结当天计)的平均数;现场解决、协商解决等未交办的不计。",
        higher_is_better=False,
    ),
    Definition(
        "median_days",
        "办理天数中位数",
        "工作日",
        "同“平均办理天数”的各件工作日数按大小排列取中间值;件数为偶数时取中间两个的平均数。",
        higher_is_better=False,
    ),
    Definition(
        "reopened",
        "重新办理",
        "次",
        "统计周期内,回访不满意后由“已回访”退回“已交办”重新办理的次数(同一问题两次计两次)。",
        higher_is_better=False,
    ),
    Definition(
        "follow_up_open",
        "跟踪问效中",
        "件",
        "截至今天,状态为“跟踪问效”、尚未落实的问题数。反映“现在”,不随统计周期变化,不与上期比较。",
        higher_is_better=False,
        compared=False,
    ),
    Definition(
        "overdue",
        "当前超期",
        "件",
        "截至今天,状态仍在办理流程中且已过办理期限,或有交办单位过期未答复的问题数。"
        "反映“现在”,不随统计周期变化,不与上期比较。",
        higher_is_better=False,
        compared=False,
    ),
    Definition(
        "satisfaction",
        "满意率(含基本满意)",
        "%",
        "“本期办结”中已回访的问题里,评价为“满意”或“基本满意”的比例;未回访的不计入分母,"
        "其件数在旁注明(“未回访 N 件”)。",
        is_rate=True,
    ),
    Definition(
        "sessions",
        "协商活动",
        "场",
        "在本节点内的阵地举办、举办时间(北京时间)在统计周期内的协商活动场次。",
    ),
    Definition(
        "members_present",
        "参与委员人次",
        "人次",
        "上述协商活动的出席登记中“出席”的人次(一位委员出席三场计三人次)。",
    ),
    Definition(
        "members_distinct",
        "参与委员人数",
        "人",
        "出席过上述协商活动至少一场的委员人数(一位委员出席多场只计一人)。",
    ),
    Definition(
        "residents",
        "参与群众人次",
        "人次",
        "上述协商活动登记的群众代表人数之和(按每场活动的登记数相加,同一群众参加两场计两人次)。",
    ),
    Definition(
        "departments",
        "参与部门",
        "个",
        "参加过上述协商活动至少一场的承办单位(部门)个数。",
    ),
    Definition(
        "participation",
        "委员出席率",
        "%",
        "上述协商活动的出席登记中,“出席”人次占应出席人次(出席、缺席、请假之和)的比例;"
        "请假计入应出席、不计出席。没有出席登记的活动不影响该比例。",
        is_rate=True,
    ),
    Definition(
        "five_ones",
        "“五个一”完成率",
        "%",
        "“五个一”是年度任务,按年度计:统计周期为全年时即该年;短于一年时为该年1月1日至周期末"
        "(标注“年度累计”),且不与上期比较。本节点委员(区划:所属政协在本节点内的在任委员;"
        "阵地:期间下沉到该阵地的在任委员)中,提案、调研、社情民意、实事各有至少一条“已完成”的"
        "履职记录,且出席至少一场协商活动或有一条“已完成”的协商履职记录的委员所占比例。",
        is_rate=True,
    ),
    Definition(
        "active_venues",
        "活跃阵地",
        "个",
        "本节点内在用的阵地中,统计周期内至少举办一场协商活动的阵地数。",
    ),
    Definition(
        "standard_venues",
        "“六有”达标阵地",
        "个",
        "本节点内在用的阵地中,“六有”全部达到的阵地数:有阵地、有标识、有制度、有流程均已登记且"
        "达标日期不晚于周期最后一天;有活动——周期内至少举办一场协商活动;有成果——周期内该阵地"
        "有议题办结,或有一场协商活动登记了协商成果。",
    ),
    Definition(
        "venue_coverage",
        "社区(村)覆盖率",
        "%",
        "本节点内的社区(村)中,本社区(村)或其下建有至少一个在用协商阵地的所占比例"
        "(有阵地的社区数 ÷ 社区数,100% 即“全覆盖”);旁注各类阵地(委员之家、工作室、议事厅、"
        "驿站等)的个数。反映“现在”,不随统计周期变化,不与上期比较;阵地页不显示。",
        is_rate=True,
        compared=False,
    ),
)
DEFINITIONS_BY_KEY = {d.key: d for d in DEFINITIONS}
FIGURE_KEYS = tuple(d.key for d in DEFINITIONS)


# -- small arithmetic ----------------------------------------------------------------------
def _round1(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return _round1(Decimal(part) * 100 / Decimal(whole))


def median_from_histogram(histogram: dict[int, int]) -> float | None:
    """The exact median of a list given as ``{days: how many}``."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle one(s)
    found: list[int] = []
    seen = 0
    for days in sorted(histogram):
        count = histogram[days]
        while len(found) < 2 and wanted[len(found)] < seen + count:
            found.append(days)
        seen += count
        if len(found) == 2:
            break
    return _round1(Decimal(found[0] + found[1]) / 2)


def _as_days(value) -> int:
    """``resolved_on - raised_on`` as a whole number of days (a timedelta on every backend)."""
    if isinstance(value, datetime.timedelta):
        return value.days
    return int(value)


# -- the raw counts ------------------------------------------------------------------------
RAW_ZERO = {
    "raised": 0,
    "accepted": 0,
    "declined": 0,
    "resolved": 0,
    "accepted_resolved": 0,
    "rated": 0,
    "satisfied": 0,
    "overdue": 0,
    "due": 0,
    "due_on_time": 0,
    "handled": 0,
    "handling_days": 0,
    "sessions": 0,
    "attendance_expected": 0,
    "attendance_present": 0,
    "residents": 0,
    "venues": 0,
    "active_venues": 0,
    "standard_venues": 0,
    "members": 0,
    "members_five_ones": 0,
    **dict.fromkeys(activity.NAMES, 0),
    **dict.fromkeys(coverage.NAMES, 0),
}


def raw_zero() -> dict:
    """Zero raw counts of one node, with its empty histograms (calendar and working days)."""
    return {**RAW_ZERO, "histogram": {}, "work_histogram": {}, "venue_kinds": []}


def _topic_aggregates(period: Period) -> dict:
    return {
        "raised": Count("pk", filter=records.raised_q(period)),
        "accepted": Count("pk", filter=records.accepted_q(period)),
        "declined": Count("pk", filter=records.declined_q(period)),
        "resolved": Count("pk", filter=records.resolved_q(period)),
        "accepted_resolved": Count(
            "pk", filter=records.accepted_q(period) & records.resolved_now_q()
        ),
        "rated": Count("pk", filter=records.rated_q(period)),
        "satisfied": Count("pk", filter=records.satisfied_q(period)),
        "overdue": Count("pk", filter=records.overdue_q(period.today)),
        "due": Count("pk", filter=records.due_q(period)),
        "due_on_time": Count("pk", filter=records.due_on_time_q(period)),
    }


def _any(conditions) -> Q:
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


def _days_expression():
    return ExpressionWrapper(F("resolved_on") - F("raised_on"), output_field=DurationField())


SOURCES = (
    "topic",
    "histogram",
    "session",
    "attendance",
    "venue",
    "member",
    "activity",
    "coverage",
)


def records_raw_counts(
    node: DashboardScope,
    periods: list[Period],
    group: dict | None = None,
    only: tuple[str, ...] = SOURCES,
) -> list[dict]:
    """Raw counts of the node for each of ``periods`` (which must not overlap: the current
    one and the one it is compared with), each table read once for all of them.

    ``group`` None → one result per period ``{None: counts}``; otherwise ``group`` maps each
    source to the expression naming a row's child: ``{"topic": expr, "session": expr,
    "attendance": expr, "venue": expr, "member": expr}`` (or ``"member_via_assignment"``).
    Returns, per period, ``{child key: {raw name: value, "histogram": {days: n}}}``.
    ``only`` limits the sources read (one query each).

    This is the reference: the pages read the summary tables (``_raw_counts``), and the tests
    and ``dashboard_summaries --check`` hold them equal to this.
    """
    results: list[dict] = [defaultdict(raw_zero) for _ in periods]

    def per_period(make) -> dict:
        """``make(period)`` → aggregates; keyed ``name_p<i>`` for period ``i``."""
        return {f"{k}_p{i}": v for i, p in enumerate(periods) for k, v in make(p).items()}

    def store(child, row: dict) -> None:
        for key, value in row.items():
            name, index = key.rsplit("_p", 1)
            results[int(index)][child][name] = value or 0

    def collect(queryset, group_expr, aggregates: dict) -> None:
        if group_expr is None:
            store(None, queryset.aggregate(**aggregates))
            return
        rows = queryset.annotate(child=group_expr).values("child").annotate(**aggregates).order_by()
        for row in rows:
            if row["child"] is not None:
                store(row.pop("child"), row)

    g = group or {}
    topic_q = records.topic_node_q(node)
    if "topic" in only:
        # Only rows some figure can count: raised or resolved in a period, or still open.
        relevant = _any(
            records.raised_q(p) | records.resolved_q(p) | records.due_q(p) for p in periods
        )
        collect(
            Topic.objects.filter(topic_q, relevant | Q(status__in=OPEN_STATES)).exclude(
                status=TopicStatus.MERGED
            ),
            g.get("topic"),
            per_period(_topic_aggregates),
        )

    if "histogram" in only:
        # Resolution times: (period, days) → count, a few hundred rows at most per child.
        which = Case(
            *(When(records.resolved_q(p), then=Value(i)) for i, p in enumerate(periods)),
            output_field=IntegerField(),
        )
        resolved = Topic.objects.filter(topic_q, _any(records.resolved_q(p) for p in periods))
        resolved = resolved.annotate(days=_days_expression(), which=which)
        fields = ["which", "days"]
        if g.get("topic") is not None:
            resolved = resolved.annotate(child=g["topic"])
            fields.append("child")
        for row in resolved.values(*fields).annotate(n=Count("pk")).order_by():
            child = row.get("child")
            if g.get("topic") is not None and child is None:
                continue
            hist = results[row["which"]][child]["histogram"]
            days = _as_days(row["days"])
            hist[days] = hist.get(days, 0) + row["n"]
        # Working days from the first referral to 办结, one topic at a time (the reference
        # only: the summaries keep each topic's number).
        handled = records.with_referral_dates(resolved).filter(referred_from__isnull=False)
        for row in handled.values(*fields, "referred_from", "resolved_on"):
            child = row.get("child")
            if g.get("topic") is not None and child is None:
                continue
            counts = results[row["which"]][child]
            days = workdays_between(row["referred_from"], row["resolved_on"])
            counts["handled"] += 1
            counts["handling_days"] += days
            counts["work_histogram"][days] = counts["work_histogram"].get(days, 0) + 1

    if "session" in only:
        collect(
            Consultation.objects.filter(
                records.session_node_q(node), _any(records.held_q(p) for p in periods)
            ),
            g.get("session"),
            per_period(
                lambda p: {
                    "sessions": Count("pk", filter=records.held_q(p)),
                    "residents": Sum("residents_count", filter=records.held_q(p)),
                }
            ),
        )
    if "attendance" in only:
        collect(
            Attendance.objects.filter(
                records.session_node_q(node, "consultation__"),
                _any(records.held_q(p, "consultation__") for p in periods),
            ),
            g.get("attendance"),
            per_period(
                lambda p: {
                    "attendance_expected": Count("pk", filter=records.held_q(p, "consultation__")),
                    "attendance_present": Count(
                        "pk",
                        filter=records.held_q(p, "consultation__")
                        & Q(status=AttendanceStatus.PRESENT),
                    ),
                }
            ),
        )
    if "venue" in only:
        collect(
            records.venues(node),
            g.get("venue"),
            per_period(
                lambda p: {
                    "venues": Count("pk"),
                    "active_venues": Count("pk", filter=records.venue_active_q(p)),
                    "standard_venues": Count("pk", filter=records.venue_standard_q(p)),
                }
            ),
        )
    if "member" in only:
        yearly = [p.year_to_date() for p in periods]  # 五个一 is a yearly duty

        def per_year(make) -> dict:
            return {f"{k}_p{i}": v for i, p in enumerate(yearly) for k, v in make(p).items()}

        if g.get("member_via_assignment"):
            # Venue children: the members sent down to each venue during the period.
            collect(
                Assignment.objects.filter(
                    _any(records.assigned_q(p) for p in yearly),
                    venue__in=records.venues(node).values("pk"),
                    member__is_active=True,
                ),
                F("venue_id"),
                per_year(
                    lambda p: {
                        "members": Count("member", distinct=True, filter=records.assigned_q(p)),
                        "members_five_ones": Count(
                            "member",
                            distinct=True,
                            filter=records.assigned_q(p) & records.five_ones_q(p, "member"),
                        ),
                    }
                ),
            )
        else:
            collect(
                Member.objects.filter(
                    _any(records.member_node_q(node, p) for p in yearly), is_active=True
                ),
                g.get("member"),
                per_year(
                    lambda p: {
                        "members": Count("pk", filter=records.member_node_q(node, p)),
                        "members_five_ones": Count(
                            "pk", filter=records.member_node_q(node, p) & records.five_ones_q(p)
                        ),
                    }
                ),
            )
    if "activity" in only:
        # Distinct counts read from the records on every page too (``dashboards.activity``).
        level = (group or {}).get("activity")
        for i, by_child in enumerate(activity.activity_counts(node, periods, level)):
            for ident, counts in by_child.items():
                if level is None or ident is not None:
                    results[i][ident].update(counts)
    if "coverage" in only:
        _add_coverage(results, node, (group or {}).get("coverage"))
    return results


def _add_coverage(results: list[dict], node: DashboardScope, child: str | None, own=None) -> None:
    """Communities covered and venues by kind (``dashboards.coverage``; "now", so the same in
    every period): the node's under ``own``, each child area's under its path prefix."""
    counts = coverage.coverage_counts(node, child)
    for by_child in results:
        for ident, row in counts.items():
            by_child[own if ident is None else ident].update(row)


def _in_list(values) -> tuple[str, list]:
    values = list(values)
    return ", ".join(["%s"] * len(values)), values


def _read_counts(
    keys: dict, periods: list[Period], results: list[dict], later_only: str | None = None
) -> None:
    """The topic and session counts and the resolution times of the nodes ``keys`` (node key
    → child ident), two statements written out by hand: built through the ORM, the two dozen
    filtered sums of each cost more to compile than to run. Each period is a few blocks of
    rows (``summaries.span_terms``). ``later_only``: read the periods after the first for that
    node key only (the overview compares only the node itself with the previous period)."""

    def scoped(i: int, case: str, params: list, condition: str, cparams: list):
        if i == 0 or later_only is None:
            return case, params, condition, cparams
        return (
            f"CASE WHEN node = %s THEN {case} ELSE 0 END",
            [later_only, *params],
            f"(node = %s AND {condition})",
            [later_only, *cparams],
        )

    spans = [
        scoped(i, *summaries.terms_sql(summaries.span_terms(p.start, p.effective_end)))
        for i, p in enumerate(periods)
    ]
    overdue = [scoped(i, *summaries.until_sql(p.today)) for i, p in enumerate(periods)]
    select, select_params, names = [], [], []
    for i in range(len(periods)):
        for name in COUNTERS:
            case, params, _, _ = overdue[i] if name == "overdue" else spans[i]
            select.append(f"SUM({name} * {case})")
            select_params += params
            names.append((name, i))
    nodes, node_params = _in_list(keys)
    wanted = spans + overdue
    where = " OR ".join(w[2] for w in wanted)
    where_params = [v for w in wanted for v in w[3]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT node, {', '.join(select)} FROM {NodeCount._meta.db_table} "
            f"WHERE node IN ({nodes}) AND ({where}) GROUP BY node",
            [*select_params, *node_params, *where_params],
        )
        for node, *values in cursor.fetchall():
            child = keys[node]
            for (name, i), value in zip(names, values, strict=True):
                results[i][child][name] = value or 0
        sums = [f"SUM(n * {case})" for case, _, _, _ in spans]
        cursor.execute(
            f"SELECT node, kind, days, {', '.join(sums)} FROM {NodeResolveDays._meta.db_table} "
            f"WHERE node IN ({nodes}) AND ({' OR '.join(w[2] for w in spans)}) "
            "GROUP BY node, kind, days",
            [
                *(v for w in spans for v in w[1]),
                *node_params,
                *(v for w in spans for v in w[3]),
            ],
        )
        for node, kind, days, *counts in cursor.fetchall():
            name = "work_histogram" if kind == DaysKind.WORKING else "histogram"
            for i, n in enumerate(counts):
                if n:
                    results[i][keys[node]][name][days] = n


def _raw_counts(
    node: DashboardScope,
    periods: list[Period],
    children: dict | None = None,
    level: str | None = None,
) -> list[dict]:
    """The raw counts of ``records_raw_counts``, read from the summary tables: one query for
    the topic and session counts, one for the resolution times, and the venue and member
    counts (two queries) — four whatever the size of the node or the number of children.

    ``children`` None → ``{None: counts}`` per period; otherwise ``{child ident: node key}``
    for the children at ``level`` ("area": idents are path prefixes; "venue": venue ids) →
    ``{child ident: counts}``.
    """
    keys = {node.key: None} if children is None else {v: k for k, v in children.items()}
    results: list[dict] = [defaultdict(raw_zero) for _ in periods]
    if keys:
        _read_counts(keys, periods, results)
    child = None if children is None else level
    yearly = [p.year_to_date() for p in periods]  # 五个一 is a yearly duty
    for source, measured in (
        (bits.venue_counts, periods),
        (bits.member_counts, yearly),
        (activity.activity_counts, periods),
    ):
        for i, by_child in enumerate(source(node, measured, child)):
            for ident, counts in by_child.items():
                if child is None or ident is not None:
                    results[i][ident].update(counts)
    if children is None:
        _add_coverage(results, node, None)
    else:
        _add_coverage(results, node, level, own="__node__")
    return results


def mean(total: int, count: int) -> float | None:
    if not count:
        return None
    return _round1(Decimal(total) / Decimal(count))


def figures_from_raw(raw: dict) -> dict:
    """The headline figures (and the counts behind each rate) from one node's raw counts."""
    return {
        "raised": raw["raised"],
        "accepted": raw["accepted"],
        "agenda_topics": raw["agenda_topics"],
        "accepted_resolved": raw["accepted_resolved"],
        "resolution_rate": percent(raw["accepted_resolved"], raw["accepted"]),
        "resolved": raw["resolved"],
        "on_time_rate": percent(raw["due_on_time"], raw["due"]),
        "avg_days": mean(raw["handling_days"], raw["handled"]),
        "median_days": median_from_histogram(raw["work_histogram"]),
        "reopened": raw["reopened"],
        "follow_up_open": raw["follow_up_open"],
        "overdue": raw["overdue"],
        "satisfaction": percent(raw["satisfied"], raw["rated"]),
        "sessions": raw["sessions"],
        "members_present": raw["attendance_present"],
        "members_distinct": raw["members_distinct"],
        "residents": raw["residents"],
        "departments": raw["departments"],
        "participation": percent(raw["attendance_present"], raw["attendance_expected"]),
        "five_ones": percent(raw["members_five_ones"], raw["members"]),
        "active_venues": raw["active_venues"],
        "standard_venues": raw["standard_venues"],
        "venue_coverage": percent(raw["communities_covered"], raw["communities"]),
        # The counts behind the rates, for tiles ("12 / 30") and hand checks.
        "declined": raw["declined"],
        "unrated": raw["resolved"] - raw["rated"],
        "due": raw["due"],
        "due_on_time": raw["due_on_time"],
        "handled": raw["handled"],
        "rated": raw["rated"],
        "satisfied": raw["satisfied"],
        "attendance_expected": raw["attendance_expected"],
        "attendance_present": raw["attendance_present"],
        "members": raw["members"],
        "members_five_ones": raw["members_five_ones"],
        "venues": raw["venues"],
        "communities": raw["communities"],
        "communities_covered": raw["communities_covered"],
        "venue_kinds": list(raw["venue_kinds"]),
        "histogram": dict(sorted(raw["histogram"].items())),
        "work_histogram": dict(sorted(raw["work_histogram"].items())),
    }


def compute(node: DashboardScope, period: Period) -> dict:
    """All headline figures of one node and period (six queries)."""
    return figures_from_raw(_raw_counts(node, [period])[0][None])


# -- previous period and change ------------------------------------------------------------
# Figures by the topics' current status (a cohort that keeps resolving after the period ends):
# while the period runs, its cohort has had less time than the previous one's, so the two are not
# compared. Counts by date are compared with the same number of days of the previous period
# (``Period.previous``), which is like with like.
COHORT_KEYS = frozenset({"resolution_rate", "accepted_resolved", "on_time_rate"})


def _change(definition: Definition, value, previous, period: Period | None = None) -> dict:
    unit = "个百分点" if definition.is_rate else definition.unit
    if not definition.compared:
        return {"change": None, "direction": None, "good": None, "change_text": "当前数"}
    if period is not None and period.is_running and definition.key in COHORT_KEYS:
        text = "本期未结束,与上期比较尚无意义"
        return {"change": None, "direction": None, "good": None, "change_text": text}
    if period is not None and definition.key == "five_ones" and period.kind != "year":
        text = f"年度累计至{period.effective_end.month}月{period.effective_end.day}日,不与上期比较"
        return {"change": None, "direction": None, "good": None, "change_text": text}
    if value is None or previous is None:
        return {"change": None, "direction": None, "good": None, "change_text": "上期无可比数据"}
    delta = _round1(Decimal(str(value)) - Decimal(str(previous)))
    if isinstance(value, int) and isinstance(previous, int):
        delta = value - previous
    if delta == 0:
        return {"change": 0, "direction": "flat", "good": None, "change_text": "与上期持平"}
    up = delta > 0
    shown = abs(delta)
    if isinstance(shown, float) and shown.is_integer() and not definition.is_rate:
        shown = int(shown)
    text = f"比上期{'增加' if up else '减少'} {shown} {unit}"
    if definition.is_rate or definition.key == "median_days":
        text = f"比上期{'上升' if up else '下降'} {shown} {unit}"
    return {
        "change": delta,
        "direction": "up" if up else "down",
        "good": up == definition.higher_is_better,
        "change_text": text,
    }


def _coverage_detail(figures: dict) -> str:
    """ "2 / 3 个社区(村)有阵地;协商驿站 2 个、协商议事厅 1 个"."""
    parts = []
    if figures["communities"]:
        parts.append(
            f"{figures['communities_covered']} / {figures['communities']} 个社区(村)有阵地"
        )
    kinds = "、".join(f"{label} {n} 个" for _kind, label, n in figures["venue_kinds"])
    if kinds:
        parts.append(kinds)
    return ";".join(parts)


def _detail(key: str, figures: dict) -> str:
    """The counts behind a rate, e.g. "12 / 30 件"."""
    details = {
        "resolution_rate": (
            f"本期受理的 {figures['accepted']} 件中"
            f"已办结 {figures['accepted_resolved']} 件(截至今日)"
        ),
        "accepted_resolved": f"本期受理 {figures['accepted']} 件",
        "satisfaction": (
            f"已回访 {figures['rated']} 件中满意 {figures['satisfied']} 件;"
            f"未回访 {figures['unrated']} 件"
        ),
        "on_time_rate": f"{figures['due_on_time']} / {figures['due']} 件",
        "avg_days": f"{figures['handled']} 件经交办的办结问题",
        "participation": (
            f"{figures['attendance_present']} / {figures['attendance_expected']} 人次"
        ),
        "five_ones": f"{figures['members_five_ones']} / {figures['members']} 人",
        "active_venues": f"共 {figures['venues']} 个在用阵地",
        "venue_coverage": _coverage_detail(figures),
        "standard_venues": f"共 {figures['venues']} 个在用阵地",
        "median_days": f"{figures['handled']} 件经交办的办结问题",
        "raised": f"其中不予受理 {figures['declined']} 件",
        "resolved": "含往期受理、本期办结的问题",
    }
    return details.get(key, "")


def _headline(period: Period, previous_period: Period, current: dict, previous: dict) -> dict:
    tiles = []
    for d in DEFINITIONS:
        value = current[d.key]
        prev = previous[d.key] if d.compared else None
        tiles.append(
            {
                "key": d.key,
                "label": d.label,
                "unit": d.unit,
                "value": value,
                "previous": prev,
                "is_rate": d.is_rate,
                "detail": _detail(d.key, current),
                **_change(d, value, prev, period),
            }
        )
    return {
        "period": period,
        "previous_period": previous_period,
        "figures": current,
        "previous": previous,
        "tiles": tiles,
    }


def headline(node: DashboardScope, period: Period) -> dict:
    """Figures of the period and of the previous period, with the change, one tile each:
    ``{"period", "previous_period", "figures", "previous", "tiles": [{key, label, unit, value,
    previous, change, direction, good, change_text, detail, is_rate}]}``.

    Four queries: each summary table is read once for both periods."""
    previous_period = period.previous()
    raw_current, raw_previous = _raw_counts(node, [period, previous_period])
    return _headline(
        period,
        previous_period,
        figures_from_raw(raw_current[None]),
        figures_from_raw(raw_previous[None]),
    )


# -- children ------------------------------------------------------------------------------
def _children(node: DashboardScope) -> tuple[DashboardScope, str, list, str | None]:
    """``(base, level, keyed, current)``: the area whose children are ranked (a venue's own
    area), "area" or "venue", ``[(ident, node key, name)]`` in display order (one query), and a
    venue node's own key."""
    current = f"v{node.venue.pk}" if node.is_venue else None
    base = DashboardScope(area=node.venue.area, top=node.top) if node.is_venue else node
    # One query lists the children either way (treebeard keeps ``numchild``).
    level = "area" if base.area.numchild else "venue"
    if level == "venue":
        children = records.venues(base).filter(area=base.area).order_by("name", "pk")
        return base, level, [(c.pk, f"v{c.pk}", c.name) for c in children], current
    children = base.child_areas().order_by("path")
    return base, level, [(c.path, f"a{c.pk}", c.name) for c in children], current


def _rows(keyed: list, level: str, current: str | None, counts_by_ident: dict) -> list[dict]:
    rows = []
    for ident, key, name in keyed:
        counts = counts_by_ident.get(ident, raw_zero())
        rows.append(
            {
                "key": key,
                "name": name,
                "kind": level,
                "current": key == current,
                **figures_from_raw(counts),
            }
        )
    return rows


def child_rows(node: DashboardScope, period: Period) -> list[dict]:
    """One row per child — the child areas, or at the bottom of the tree the venues in use of
    the area — with the figures of ``compute``: five queries however many children (the
    children, then the four of ``compute`` grouped by child).

    At a venue, the rows are the venues in use of its area (its siblings and itself, marked
    ``current``), so a venue's page compares it with its neighbours at the same cost.

    Each row: ``{"key": "a12"|"v34", "name", "kind": "area"|"venue", "current", **figures}``.
    """
    base, level, keyed, current = _children(node)
    raw = _raw_counts(base, [period], {ident: key for ident, key, _ in keyed}, level)[0]
    return _rows(keyed, level, current, raw)


# -- the overview page: headline and ranking in one pass ---------------------------------------
def _add(total: dict, counts: dict) -> None:
    for name, value in counts.items():
        if name in ("histogram", "work_histogram"):
            for days, n in value.items():
                total[name][days] = total[name].get(days, 0) + n
        else:
            total[name] = total.get(name, 0) + value


def overview(node: DashboardScope, period: Period) -> tuple[dict, list[dict]]:
    """``(headline(node, period), child_rows(node, period))`` in five queries at every level
    (the children, then each summary table once for the node and its children together).

    The node's venue and member counts are the sum of its groups: every venue or member of an
    area lies in exactly one child area or in the area itself (its own group). At a venue, the
    node is its own row among its neighbours. At a community, whose rows count the members
    sent down to each venue while the community's own figure counts committee members, the two
    member counts are read in one statement (``bits.member_counts_with_venues``).
    """
    previous_period = period.previous()
    periods = [period, previous_period]
    yearly = [p.year_to_date() for p in periods]  # 五个一 is a yearly duty
    base, level, keyed, current = _children(node)
    idents = {key: ident for ident, key, _ in keyed}
    if node.is_venue and current not in idents:  # a venue no longer in use: no neighbours
        return headline(node, period), child_rows(node, period)
    own = idents.get(node.key, "__node__")
    results: list[dict] = [defaultdict(raw_zero) for _ in periods]
    _read_counts({**idents, node.key: own}, periods, results, later_only=node.key)
    if level == "area":
        venue_rows = bits.venue_counts(base, periods, "area")
        member_rows = bits.member_counts(base, yearly, "area")
    else:
        venue_rows = bits.venue_counts(base, periods, "venue")
        if node.is_venue:
            member_rows = bits.member_counts(base, yearly, "venue")
        else:
            member_rows = bits.member_counts_with_venues(base, yearly, own)
    # Distinct counts: the node's own total is counted, not added up from its children.
    activity_rows = activity.activity_counts(base, periods, level)
    # A venue node is its own row among the venues of its area (``base``).
    _add_coverage(results, base, level, own="__node__" if own == "__node__" else "__base__")
    for i in range(len(periods)):
        for ident, counts in activity_rows[i].items():
            if ident is not None:
                results[i][ident].update(counts)
            elif own == "__node__":
                results[i][own].update(counts)
        node_total = {"venues": 0, "active_venues": 0, "standard_venues": 0}
        member_total = {"members": 0, "members_five_ones": 0}
        for ident, counts in venue_rows[i].items():
            results[i][ident].update(counts)
            _add(node_total, counts)
        for ident, counts in member_rows[i].items():
            results[i][ident].update(counts)
            if level == "area":
                _add(member_total, counts)
        if own == "__node__":
            results[i][own].update(node_total)
            if level == "area":
                results[i][own].update(member_total)
    head = _headline(
        period,
        previous_period,
        figures_from_raw(results[0][own]),
        figures_from_raw(results[1][own]),
    )
    rows = _rows(keyed, level, current, results[0])
    return head, rows
