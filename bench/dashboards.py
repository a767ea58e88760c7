#!/usr/bin/env python
"""Time the leadership dashboard at province scale on PostgreSQL, against one hand-written query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_province .venv/bin/python bench/dashboards.py

The data comes from ``manage.py seed_province`` (1 province, 16 cities, 128 districts, 30,000
venues, 50,000 members, 300,000 sessions, 1,000,000 topics over three years); the script
refuses to run on a database whose name contains neither "bench" nor "province", or with DEBUG
on. For four nodes — the province, its first city, that city's first district, and the busiest
venue of that district — and the current year (``--period year|quarter|month``), it times:

a. the overview page ``/dashboard/<node>/`` through ``django.test.Client``, signed in as the
   leader of that level (``leader``, ``leader_city``, ``leader_district``), read to the end;
b. ``dashboards.figures.compute(node, period)`` alone (it reads the summary tables);
c. one hand-written SQL query computing the same headline figures from the records
   (``hand_figures``), and
d. one hand-written SQL query computing them from the summary tables (``summary_hand_figures``).

Each after 3 warm-up runs, ``--runs`` timed runs (default 20): median, p95 and the query count of
one run, and the ratios. It checks that (c) and (d) give ``compute``'s figures (21 numbers) and
exits 1 on a mismatch; it exits 2 when a target is missed (``--no-fail`` keeps 0): province page
median ≤ 300 ms, district ≤ 50 ms, the page ≤ 1.5 × (c), ``compute`` ≤ 1.5 × (c) and (d), and
the same number of queries at every level. ``--explain`` prints EXPLAIN ANALYZE of each query
``compute`` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cp_province"
WARMUPS = 3
TARGETS_MS = {"province": 300.0, "district": 50.0}
MAX_RATIO = 1.5
COMPARED_KEYS = (
    "raised",
    "accepted",
    "resolved",
    "resolution_rate",
    "median_days",
    "overdue",
    "satisfaction",
    "sessions",
    "participation",
    "five_ones",
    "active_venues",
    "standard_venues",
    "declined",
    "accepted_resolved",
    "rated",
    "satisfied",
    "attendance_expected",
    "attendance_present",
    "members",
    "members_five_ones",
    "venues",
)

# The headline figures of one node in one statement. ``{topics}``, ``{venues}`` and
# ``{members}`` are the node's filters (an area subtree by path prefix, or one venue).
HAND_SQL = """
WITH node_venues AS ({venues}),
t AS (
    SELECT t.id, t.status, t.raised_on, t.resolved_on, t.rating, t.deadline
    FROM topics_topic t
    WHERE {topics} AND t.status <> 'merged'
      AND (t.raised_on BETWEEN %(start)s AND %(end)s
           OR (t.status IN %(resolved_states)s AND t.resolved_on BETWEEN %(start)s AND %(end)s)
           OR t.status IN %(open_states)s)
),
topic_counts AS (
    SELECT
        count(*) FILTER (WHERE raised_on BETWEEN %(start)s AND %(end)s) AS raised,
        count(*) FILTER (WHERE raised_on BETWEEN %(start)s AND %(end)s
                           AND status IN %(accepted_states)s) AS accepted,
        count(*) FILTER (WHERE raised_on BETWEEN %(start)s AND %(end)s
                           AND status = 'declined') AS declined,
        count(*) FILTER (WHERE status IN %(resolved_states)s
                           AND resolved_on BETWEEN %(start)s AND %(end)s) AS resolved,
        count(*) FILTER (WHERE raised_on BETWEEN %(start)s AND %(end)s
                           AND status IN %(resolved_states)s) AS accepted_resolved,
        count(*) FILTER (WHERE status IN %(resolved_states)s
                           AND resolved_on BETWEEN %(start)s AND %(end)s
                           AND rating <> '') AS rated,
        count(*) FILTER (WHERE status IN %(resolved_states)s
                           AND resolved_on BETWEEN %(start)s AND %(end)s
                           AND rating IN ('satisfied', 'basically')) AS satisfied,
        count(*) FILTER (WHERE status IN %(open_states)s AND (
            deadline < %(today)s OR EXISTS (
                SELECT 1 FROM topics_referral r
                WHERE r.topic_id = t.id AND r.replied_on IS NULL AND r.deadline < %(today)s
            ))) AS overdue,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY resolved_on - raised_on)
            FILTER (WHERE status IN %(resolved_states)s
                      AND resolved_on BETWEEN %(start)s AND %(end)s) AS median_days
    FROM t
),
held AS (
    SELECT c.id, c.venue_id, c.outcome FROM topics_consultation c
    WHERE c.venue_id IN (SELECT id FROM node_venues)
      AND c.held_at >= %(held_from)s AND c.held_at < %(held_to)s
),
session_counts AS (
    SELECT
        (SELECT count(*) FROM held) AS sessions,
        count(*) AS attendance_expected,
        count(*) FILTER (WHERE a.status = 'present') AS attendance_present
    FROM topics_attendance a WHERE a.consultation_id IN (SELECT id FROM held)
),
venue_counts AS (
    SELECT
        count(*) AS venues,
        count(*) FILTER (WHERE v.id IN (SELECT venue_id FROM held)) AS active_venues,
        count(*) FILTER (WHERE v.id IN (SELECT venue_id FROM held)
            AND (v.id IN (SELECT venue_id FROM held WHERE outcome <> '')
                 OR EXISTS (SELECT 1 FROM topics_topic rt
                            WHERE rt.venue_id = v.id AND rt.status IN %(resolved_states)s
                              AND rt.resolved_on BETWEEN %(start)s AND %(end)s))
            AND (SELECT count(DISTINCT r.item) FROM platforms_venuestandardrecord r
                 WHERE r.venue_id = v.id AND r.met_on <= %(end)s
                   AND r.item IN %(standard_items)s) = %(standard_item_count)s
        ) AS standard_venues
    FROM platforms_venue v
    WHERE v.id IN (SELECT id FROM node_venues) AND v.is_active
),
node_members AS ({members}),
duty_done AS (
    SELECT d.member_id FROM members_duty d
    WHERE d.member_id IN (SELECT id FROM node_members) AND d.status = 'done'
      AND d.date BETWEEN %(start)s AND %(end)s AND d.kind IN %(five_kinds)s
    GROUP BY d.member_id HAVING count(DISTINCT d.kind) = %(five_kind_count)s
),
consulted AS (
    SELECT a.member_id FROM topics_attendance a
    JOIN topics_consultation c ON c.id = a.consultation_id
    WHERE a.member_id IN (SELECT member_id FROM duty_done) AND a.status = 'present'
      AND c.held_at >= %(held_from)s AND c.held_at < %(held_to)s
    UNION
    SELECT d.member_id FROM members_duty d
    WHERE d.member_id IN (SELECT member_id FROM duty_done) AND d.status = 'done'
      AND d.kind = 'consultation' AND d.date BETWEEN %(start)s AND %(end)s
),
member_counts AS (
    SELECT (SELECT count(*) FROM node_members) AS members,
           (SELECT count(*) FROM consulted) AS members_five_ones
)
SELECT * FROM topic_counts, session_counts, venue_counts, member_counts
"""

AREA_FILTERS = {
    "topics": "t.area_id IN (SELECT id FROM platforms_area WHERE path LIKE %(prefix)s)",
    "venues": "SELECT v.id FROM platforms_venue v JOIN platforms_area a ON a.id = v.area_id "
    "WHERE a.path LIKE %(prefix)s",
    "members": "SELECT m.id FROM members_member m JOIN platforms_area a ON a.id = m.area_id "
    "WHERE a.path LIKE %(prefix)s AND m.is_active",
}
VENUE_FILTERS = {
    "topics": "t.venue_id = %(venue)s",
    "venues": "SELECT %(venue)s::bigint AS id",
    "members": "SELECT DISTINCT m.id FROM members_member m "
    "JOIN members_assignment s ON s.member_id = m.id "
    "WHERE s.venue_id = %(venue)s AND m.is_active AND s.started_on <= %(end)s "
    "AND (s.ended_on IS NULL OR s.ended_on >= %(start)s)",
}


def hand_query(node, period) -> tuple[str, dict]:
    from dashboards import records
    from members.models import DutyKind
    from platforms.models import StandardItem
    from topics.lifecycle import ACCEPTED_STATES, OPEN_STATES, RESOLVED_STATES

    filters = VENUE_FILTERS if node.is_venue else AREA_FILTERS
    held_from, held_to = records.datetime_range(period)
    five_kinds = tuple(str(k) for k in records.FIVE_ONES_DUTY_KINDS)
    params = {
        "start": period.start,
        "end": period.effective_end,
        "today": period.today,
        "held_from": held_from,
        "held_to": held_to,
        "open_states": tuple(sorted(str(s) for s in OPEN_STATES)),
        "resolved_states": tuple(sorted(str(s) for s in RESOLVED_STATES)),
        "accepted_states": tuple(sorted(str(s) for s in ACCEPTED_STATES)),
        "standard_items": tuple(StandardItem.values),
        "standard_item_count": len(StandardItem.values),
        "five_kinds": five_kinds,
        "five_kind_count": len(five_kinds),
        "consultation": str(DutyKind.CONSULTATION),
    }
    if node.is_venue:
        params["venue"] = node.venue.pk
    else:
        params["prefix"] = node.area.path + "%"
    return HAND_SQL.format(**filters), params


def _figures(raw: dict) -> dict:
    """A hand query's row as ``compute`` states it: the median and rates rounded half up."""
    from decimal import ROUND_HALF_UP, Decimal

    from dashboards.figures import percent

    median = raw["median_days"]
    if median is not None:
        median = float(Decimal(str(median)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return {
        **raw,
        "median_days": median,
        "resolution_rate": percent(raw["accepted_resolved"], raw["accepted"]),
        "satisfaction": percent(raw["satisfied"], raw["rated"]),
        "participation": percent(raw["attendance_present"], raw["attendance_expected"]),
        "five_ones": percent(raw["members_five_ones"], raw["members"]),
    }


def hand_figures(node, period) -> dict:
    """The headline figures from one hand-written statement (rates as ``compute`` rounds them)."""
    from django.db import connection

    sql, params = hand_query(node, period)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        raw = dict(zip(names, cur.fetchone(), strict=True))
    return _figures(raw)


def summary_hand_query(node, period) -> tuple[str, list]:
    """The headline figures of one node and one period (within one year) from the summary
    tables the pages read, in one statement written by hand — the yardstick for the page's
    own reads (``figures.compute``): same tables, no ORM, no Python between the steps."""
    from dashboards import summaries
    from dashboards.bitmap import range_masks
    from dashboards.bits import MEMBER_BITS

    if period.start.year != period.effective_end.year:
        raise SystemExit("the summary hand SQL covers periods within one year")
    year = period.start.year
    masks = range_masks(period.start, period.effective_end)[year]
    case, case_params, cond, cond_params = summaries.terms_sql(
        summaries.span_terms(period.start, period.effective_end)
    )
    o_case, o_case_params, o_cond, o_cond_params = summaries.until_sql(period.today)

    def any_day(prefix: str, alias: str) -> str:
        return (
            "("
            + " OR ".join(f"({alias}.{prefix}{k} & {m}) <> 0" for k, m in enumerate(masks) if m)
            + ")"
        )

    sums = [
        f"SUM({name} * {case}) AS {name}"
        for name in (
            "raised",
            "accepted",
            "declined",
            "accepted_resolved",
            "resolved",
            "rated",
            "satisfied",
            "sessions",
            "attendance_expected",
            "attendance_present",
        )
    ]
    params: list = []
    for _ in range(len(sums)):
        params += case_params
    sql = (
        f"WITH c AS (SELECT {', '.join(sums)}, SUM(overdue * {o_case}) AS overdue "
        f"FROM dashboards_nodecount WHERE node = %s AND ({cond} OR {o_cond})), "
    )
    params += [*o_case_params, node.key, *cond_params, *o_cond_params]
    sql += (
        # The median is of working days from 交办 to 办结 since issue 14 (histogram kind 'w').
        f"h AS (SELECT days, SUM(n * {case}) AS n FROM dashboards_noderesolvedays "
        f"WHERE node = %s AND kind = 'w' AND {cond} GROUP BY days), "
        "hm AS (SELECT (MIN(days) FILTER (WHERE cum >= FLOOR((total + 1) / 2))"
        " + MIN(days) FILTER (WHERE cum >= FLOOR(total / 2) + 1)) / 2.0 AS median_days"
        " FROM (SELECT days, SUM(n) OVER (ORDER BY days) AS cum, SUM(n) OVER () AS total"
        " FROM h WHERE n <> 0) x), "
    )
    params += [*case_params, node.key, *cond_params]
    if node.is_venue:
        venue_where, venue_params = "v.id = %s", [node.venue.pk]
        member_from = (
            "(SELECT DISTINCT m.id FROM members_member m "
            "JOIN members_assignment s ON s.member_id = m.id "
            "WHERE s.venue_id = %s AND m.is_active AND s.started_on <= %s "
            "AND (s.ended_on IS NULL OR s.ended_on >= %s))"
        )
        member_params = [node.venue.pk, period.effective_end, period.start]
    else:
        venue_where = "v.area_id IN (SELECT id FROM platforms_area WHERE path LIKE %s)"
        venue_params = [node.area.path + "%"]
        member_from = (
            "(SELECT m.id FROM members_member m JOIN platforms_area a ON a.id = m.area_id "
            "WHERE a.path LIKE %s AND m.is_active)"
        )
        member_params = [node.area.path + "%"]
    active = any_day("active", "y")
    sql += (
        "v AS (SELECT COUNT(*) AS venues, "
        f"COUNT(*) FILTER (WHERE {active}) AS active_venues, "
        f"COUNT(*) FILTER (WHERE {active} AND {any_day('outcome', 'y')} "
        "AND y.recorded_on <= %s) AS standard_venues "
        "FROM platforms_venue v LEFT JOIN dashboards_venueyear y "
        f"ON y.venue_id = v.id AND y.year = %s WHERE v.is_active AND {venue_where}), "
    )
    params += [period.effective_end, year, *venue_params]
    five = " AND ".join(any_day(prefix, "y") for prefix in MEMBER_BITS)
    sql += (
        "m AS (SELECT COUNT(*) AS members, "
        f"COUNT(*) FILTER (WHERE {five}) AS members_five_ones "
        f"FROM {member_from} n LEFT JOIN dashboards_memberyear y "
        "ON y.member_id = n.id AND y.year = %s) "
        "SELECT * FROM c, hm, v, m"
    )
    params += [*member_params, year]
    return sql, params


def summary_hand_figures(node, period) -> dict:
    from django.db import connection

    sql, params = summary_hand_query(node, period)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        raw = {
            k: (v or 0) if k != "median_days" else v
            for k, v in zip(names, cur.fetchone(), strict=True)
        }
    return _figures(raw)


# The raw hand SQL cannot count working days (they need the holiday and 调休 calendar of
# consult_portal.workdays, which plain SQL does not have): its median is left out, and the
# summary's hand SQL checks the median from the working-day histogram instead.
RAW_SKIPPED_KEYS = frozenset({"median_days"})


def mismatches(computed: dict, hand: dict, skip: frozenset = frozenset()) -> list[str]:
    return [
        f"{key}: compute {computed[key]!r} != hand SQL {hand[key]!r}"
        for key in COMPARED_KEYS
        if key not in skip and computed[key] != hand[key]
    ]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def timed(fn, runs: int, warmups: int = WARMUPS) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmups):
        fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return {
        "median": statistics.median(timings),
        "p95": percentile(timings, 95),
        "queries": len(ctx.captured_queries),
        "sql": [q["sql"] for q in ctx.captured_queries],
    }


def bench_nodes():
    """(level, node, username): the province, its first city, that city's first district and
    the district's venue with the most topics."""
    from django.db.models import Count

    from dashboards.scope import DashboardScope
    from platforms.models import Area, Venue

    province = Area.objects.filter(depth=1).order_by("path").first()
    city = Area.objects.filter(depth=2, path__startswith=province.path).order_by("path").first()
    district = Area.objects.filter(depth=3, path__startswith=city.path).order_by("path").first()
    venue = (
        Venue.objects.filter(area__path__startswith=district.path, is_active=True)
        .annotate(n=Count("topics"))
        .order_by("-n", "pk")
        .select_related("area", "brand")
        .first()
    )
    return [
        ("province", DashboardScope(area=province, top=province), "leader"),
        ("city", DashboardScope(area=city, top=city), "leader_city"),
        ("district", DashboardScope(area=district, top=district), "leader_district"),
        ("venue", DashboardScope(venue=venue, top=district), "leader_district"),
    ]


def make_period(kind: str):
    from django.utils import timezone

    from dashboards.periods import Period

    today = timezone.localdate()
    if kind == "month":
        return Period.month(today.year, today.month, today=today)
    if kind == "quarter":
        return Period.quarter(today.year, (today.month - 1) // 3 + 1, today=today)
    return Period.year(today.year, today=today)


def explain(sql_list: list[str]) -> None:
    from django.db import connection

    for sql in sql_list:
        if not sql.lstrip().upper().startswith("SELECT") or '"django_session"' in sql:
            continue
        print(f"\n{sql}\n")
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (line,) in cur.fetchall():
                print("    " + line)


def run(
    runs: int,
    period_kind: str,
    do_explain: bool = False,
    levels: tuple[str, ...] = ("province", "city", "district", "venue"),
    warmups: int = WARMUPS,
) -> tuple[list[dict], list[str]]:
    """Time every node; return the result rows and the figures that disagree."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from dashboards.figures import compute

    period = make_period(period_kind)
    rows, wrong = [], []
    for level, node, username in bench_nodes():
        if level not in levels:
            continue
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        url = f"/dashboard/{node.key}/?{_query(period)}"

        def page(client=client, url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response.content

        page_t = timed(page, runs, warmups)
        compute_t = timed(lambda node=node: compute(node, period), runs, warmups)
        sql_t = timed(lambda node=node: hand_figures(node, period), runs, warmups)
        summary_t = timed(lambda node=node: summary_hand_figures(node, period), runs, warmups)
        if do_explain:
            print(f"\n===== {level} ({node.name}): compute's queries")
            explain(compute_t["sql"])
        bad = mismatches(compute(node, period), hand_figures(node, period), RAW_SKIPPED_KEYS)
        bad += [
            f"summary {m}"
            for m in mismatches(compute(node, period), summary_hand_figures(node, period))
        ]
        wrong += [f"{level}: {m}" for m in bad]
        rows.append(
            {
                "level": level,
                "name": node.name,
                "url": url,
                "page": page_t,
                "compute": compute_t,
                "sql": sql_t,
                "summary_sql": summary_t,
                "figures": compute(node, period),
            }
        )
        print(
            f"  {level:<9} page {page_t['median']:8.1f} ms  compute {compute_t['median']:8.1f} ms"
            f"  SQL {sql_t['median']:8.1f} ms  summary SQL {summary_t['median']:6.1f} ms"
            f"  figures agree: {'yes' if not bad else 'NO'}",
            flush=True,
        )
    return rows, wrong


def _query(period) -> str:
    from django.utils.http import urlencode

    return urlencode(period.as_query())


def report(rows: list[dict], runs: int, warmups: int = WARMUPS) -> list[str]:
    """Print the table; return the targets missed."""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"\n{runs} timed runs after {warmups} warm-ups each; milliseconds")
    print(f"machine: {os.cpu_count()} cores, load average now {load} (1, 5, 15 min)")
    print(
        "| node | page median / p95 | page queries | compute median / p95 | compute queries "
        "| records SQL median / p95 | summary SQL median / p95 | page / records SQL "
        "| compute / records SQL | compute / summary SQL | page / summary SQL | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    missed = []
    for r in rows:
        page, comp, sql, summary = r["page"], r["compute"], r["sql"], r["summary_sql"]
        page_ratio = page["median"] / sql["median"]
        comp_ratio = comp["median"] / summary["median"]
        comp_records_ratio = comp["median"] / sql["median"]
        page_summary_ratio = page["median"] / summary["median"]
        target = TARGETS_MS.get(r["level"])
        goal = f"≤ {target:.0f} ms" if target else "—"
        print(
            f"| {r['level']} ({r['name']}) | {page['median']:.1f} / {page['p95']:.1f} "
            f"| {page['queries']} | {comp['median']:.1f} / {comp['p95']:.1f} "
            f"| {comp['queries']} | {sql['median']:.1f} / {sql['p95']:.1f} "
            f"| {summary['median']:.1f} / {summary['p95']:.1f} "
            f"| {page_ratio:.2f} | {comp_records_ratio:.2f} | {comp_ratio:.2f} "
            f"| {page_summary_ratio:.2f} | {goal} |"
        )
        if target and page["median"] > target:
            missed.append(f"{r['level']} page median {page['median']:.0f} ms > {target:.0f} ms")
        if page_ratio > MAX_RATIO:
            missed.append(f"{r['level']} page/records SQL {page_ratio:.2f} > {MAX_RATIO}")
        if comp_records_ratio > MAX_RATIO:
            missed.append(
                f"{r['level']} compute/records SQL {comp_records_ratio:.2f} > {MAX_RATIO}"
            )
        if comp_ratio > MAX_RATIO:
            missed.append(f"{r['level']} compute/summary SQL {comp_ratio:.2f} > {MAX_RATIO}")
    counts = {r["page"]["queries"] for r in rows}
    if len(counts) > 1:
        missed.append(f"page query counts differ by level: {sorted(counts)}")
    print("\nURLs:")
    for r in rows:
        print(f"  {r['level']:<9}{r['url']}")
    return missed


def check_database_name(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[-1]
    if "bench" not in name and "province" not in name:
        raise SystemExit(
            f"Refusing to run: the database of {database_url!r} is not a bench or province one."
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--period", choices=("year", "quarter", "month"), default="year")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--warmups", type=int, default=WARMUPS)
    parser.add_argument(
        "--levels", default="province,city,district,venue", help="comma-separated node levels"
    )
    parser.add_argument("--no-fail", action="store_true", help="exit 0 when a target is missed")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    database_url = args.database_url or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    check_database_name(database_url)
    common.setup_django(database_url=database_url, check_name=False)

    from django.db import connection

    from platforms.models import Area
    from topics.models import Consultation, Topic

    if not Area.objects.filter(depth=1).exists():
        raise SystemExit("No data: run `manage.py seed_province` on this database first.")
    print(
        f"PostgreSQL {connection.pg_version // 10000}, database "
        f"{connection.settings_dict['NAME']}: {Topic.objects.count():,} topics, "
        f"{Consultation.objects.count():,} sessions, period: {args.period}",
        flush=True,
    )
    levels = tuple(x.strip() for x in args.levels.split(",") if x.strip())
    rows, wrong = run(args.runs, args.period, args.explain, levels, args.warmups)
    missed = report(rows, args.runs, args.warmups)
    if wrong:
        print("\n!!! FIGURES DISAGREE between compute() and the hand-written SQL:")
        for line in wrong:
            print("  " + line)
        return 1
    print("\nfigures: compute() and the hand-written SQL agree at every node")
    if missed:
        print("targets missed: " + "; ".join(missed))
        return 0 if args.no_fail else 2
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
