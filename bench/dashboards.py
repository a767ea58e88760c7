#!/usr/bin/env python
"""Time the leadership dashboard at province scale on PostgreSQL, against one hand-written query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_province .venv/bin/python bench/dashboards.py

The data comes from ``manage.py seed_province`` (1 province, 16 cities, 128 districts, 30,000
venues, 50,000 members, 300,000 sessions, 1,000,000 topics over three years); the script
refuses to run on a database whose name contains neither "bench" nor "province", or with DEBUG
on. For four nodes — the province, its first city, that city's first district, and the busiest
venue of that district — and the current year (``--period year|quarter|month``), it times:

a. the overview page ``/dashboard/<node>/`` through ``django.test.Client``, signed in as the
   leader of that level (``admin`` for the province), rendered and read to the end;
b. ``dashboards.figures.compute(node, period)`` alone;
c. one hand-written SQL query computing the same headline figures (``hand_figures``).

Each after 3 warm-up runs, ``--runs`` timed runs (default 20): median, p95 and the query count of
one run, and the ratios page/SQL and compute/SQL. It checks that the hand query's figures equal
``compute``'s and exits 1 on a mismatch; it exits 2 when a target is missed (``--no-fail`` keeps
0): province median ≤ 300 ms, district ≤ 50 ms, each ≤ 1.5 × the hand SQL, and the same number of
queries at every level. ``--explain`` prints EXPLAIN ANALYZE of each query ``compute`` runs.
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


def hand_figures(node, period) -> dict:
    """The headline figures from one hand-written statement (rates as ``compute`` rounds them)."""
    from django.db import connection

    from dashboards.figures import percent

    sql, params = hand_query(node, period)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        raw = dict(zip(names, cur.fetchone(), strict=True))
    median = raw["median_days"]
    if median is not None:
        from decimal import ROUND_HALF_UP, Decimal

        median = float(Decimal(str(median)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return {
        **{k: raw[k] for k in raw if k != "median_days"},
        "median_days": median,
        "resolution_rate": percent(raw["accepted_resolved"], raw["accepted"]),
        "satisfaction": percent(raw["satisfied"], raw["rated"]),
        "participation": percent(raw["attendance_present"], raw["attendance_expected"]),
        "five_ones": percent(raw["members_five_ones"], raw["members"]),
    }


def mismatches(computed: dict, hand: dict) -> list[str]:
    return [
        f"{key}: compute {computed[key]!r} != hand SQL {hand[key]!r}"
        for key in COMPARED_KEYS
        if computed[key] != hand[key]
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
        ("province", DashboardScope(area=province, top=province), "admin"),
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
        if do_explain:
            print(f"\n===== {level} ({node.name}): compute's queries")
            explain(compute_t["sql"])
        bad = mismatches(compute(node, period), hand_figures(node, period))
        wrong += [f"{level}: {m}" for m in bad]
        rows.append(
            {
                "level": level,
                "name": node.name,
                "url": url,
                "page": page_t,
                "compute": compute_t,
                "sql": sql_t,
                "figures": compute(node, period),
            }
        )
        print(
            f"  {level:<9} page {page_t['median']:8.1f} ms  compute {compute_t['median']:8.1f} ms"
            f"  SQL {sql_t['median']:8.1f} ms  figures agree: {'yes' if not bad else 'NO'}",
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
        "| node | page median | page p95 | page queries | compute median | compute p95 "
        "| compute queries | SQL median | SQL p95 | page/SQL | compute/SQL | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    missed = []
    for r in rows:
        page, comp, sql = r["page"], r["compute"], r["sql"]
        page_ratio = page["median"] / sql["median"]
        comp_ratio = comp["median"] / sql["median"]
        target = TARGETS_MS.get(r["level"])
        goal = f"≤ {target:.0f} ms" if target else "—"
        print(
            f"| {r['level']} ({r['name']}) | {page['median']:.1f} | {page['p95']:.1f} "
            f"| {page['queries']} | {comp['median']:.1f} | {comp['p95']:.1f} "
            f"| {comp['queries']} | {sql['median']:.1f} | {sql['p95']:.1f} "
            f"| {page_ratio:.2f} | {comp_ratio:.2f} | {goal} |"
        )
        if target and page["median"] > target:
            missed.append(f"{r['level']} page median {page['median']:.0f} ms > {target:.0f} ms")
        if page_ratio > MAX_RATIO:
            missed.append(f"{r['level']} page/SQL {page_ratio:.2f} > {MAX_RATIO}")
        if comp_ratio > MAX_RATIO:
            missed.append(f"{r['level']} compute/SQL {comp_ratio:.2f} > {MAX_RATIO}")
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
