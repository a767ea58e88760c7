#!/usr/bin/env python
"""Time the list pages on PostgreSQL with 100,000 topics, through the real URLs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/lists.py

What it does:
1. Creates the database if it is missing, migrates it, and loads the bench city once (the demo
   city of the ``demo`` app at 100,000 topics / 20,000 sessions; see ``bench/common.py``).
   Later runs reuse it; ``--reload`` drops the schema and builds it again. It refuses to run
   unless the database name contains "bench", and with DEBUG on.
2. Signs in (``django.test.Client.force_login``) as each user of ``--users`` — ``city``: office
   staff of the whole city; ``district``: office staff of 西陵区; ``admin``: the superuser — and
   requests each case: 3 warm-up requests, then ``--runs`` timed ones (the whole response,
   rendered, read to the end). It prints median, p95, the query count of one request, the HTTP
   status and the number of bytes, then the URL of every case.

Filters the topic list may not support yet (status as a multi-value, area, raised_min/max,
overdue, sort) are ignored by a page that does not know them; the table then shows what the page
costs without them, which is why every URL is printed.

Options: --runs N (default 20), --only NAME[,NAME] (case names, e.g. topics,topics_overdue),
--users city,district[,admin], --explain (EXPLAIN ANALYZE of the list queries of each
case), --reload, --topics N / --sessions N (size of a new dataset), --database-url URL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

WARMUPS = 3
KEYWORD = "电梯"  # a word in many topic titles (加装电梯 ...)
# Tables every request reads (session, user, the user's scope); --explain skips their queries.
SKIP_TABLES = ('"auth_', '"django_', '"platforms_profile"')


@dataclass
class Case:
    name: str
    path: str
    params: list[tuple[str, str]]

    @property
    def url(self) -> str:
        return self.path + ("?" + urlencode(self.params) if self.params else "")


def cases_for(user) -> list[Case]:
    """The cases, with parameters taken from the data this user can see."""
    from django.urls import reverse
    from django.utils import timezone

    from platforms.models import Area, AreaLevel

    today = timezone.localdate()
    areas = Area.objects.visible_to(user)
    subdistrict = areas.filter(level=AreaLevel.SUBDISTRICT).order_by("path").first()
    topics = reverse("topics:list")
    return [
        Case("topics", topics, []),
        Case("topics_status", topics, [("status", "referred"), ("status", "in_progress")]),
        Case("topics_q", topics, [("q", KEYWORD)]),
        Case("topics_area", topics, [("area", str(subdistrict.pk))] if subdistrict else []),
        Case(
            "topics_dates",
            topics,
            [
                ("raised_min", (today - dt.timedelta(days=180)).isoformat()),
                ("raised_max", (today - dt.timedelta(days=90)).isoformat()),
            ],
        ),
        Case("topics_overdue", topics, [("overdue", "1")]),
        Case("topics_page200", topics, [("page", "200")]),
        Case("venues", reverse("platforms:venue_list"), []),
        Case("members", reverse("members:list"), []),
        Case("sessions", reverse("topics:consultation_list"), []),
    ]


def fetch(client, url: str):
    response = client.get(url)
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    return response.status_code, size


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def cpu_seconds(connection) -> float:
    """CPU time of this process plus its PostgreSQL backend (parallel workers not included).

    Wall-clock figures on a shared machine move with the load; this one mostly does not.
    """
    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:  # the server runs elsewhere: count this process only
        backend = 0.0
    return time.process_time() + backend


def time_case(client, case: Case, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        status, size = fetch(client, case.url)
    timings = []
    cpu_before = cpu_seconds(connection)
    for _ in range(runs):
        started = time.perf_counter()
        status, size = fetch(client, case.url)
        timings.append((time.perf_counter() - started) * 1000)
    cpu = (cpu_seconds(connection) - cpu_before) * 1000 / runs
    with CaptureQueriesContext(connection) as ctx:
        fetch(client, case.url)
    return {
        "min": min(timings),
        "cpu": cpu,
        "median": statistics.median(timings),
        "p95": percentile(timings, 95),
        "queries": len(ctx.captured_queries),
        "status": status,
        "bytes": size,
    }


def explain(client, case: Case) -> None:
    """EXPLAIN ANALYZE the list queries of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fetch(client, case.url)
    for query in ctx.captured_queries:
        sql = query["sql"]
        head = sql.split(" WHERE ")[0]
        # The list queries: the page of rows (LIMIT) and the paginator's COUNT; not the
        # session, user and scope look-ups every request makes.
        if not sql.startswith("SELECT") or any(t in head for t in SKIP_TABLES):
            continue
        if " LIMIT " not in sql and "COUNT(" not in head:
            continue
        print(f"\n--- {case.name}: {case.url}\n{sql}\n")
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (line,) in cur.fetchall():
                print("    " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--users", default="city,district", help="city, district, admin")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--reload", action="store_true", help="drop and rebuild the dataset")
    parser.add_argument("--topics", type=int, default=100_000, help="topics in a new dataset")
    parser.add_argument("--sessions", type=int, default=20_000, help="sessions in a new dataset")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    database_url = args.database_url or os.environ.get("DATABASE_URL", common.DEFAULT_DATABASE_URL)
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        raise SystemExit(f"Refusing to run: the database of {database_url!r} is not a bench one.")
    common.ensure_database(database_url)
    common.setup_django(database_url=database_url)

    from django.db import connection
    from django.test import Client

    info = common.load(reload=args.reload, topics=args.topics, consultations=args.sessions)
    print(
        f"PostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}"
    )
    if info["load_seconds"] is not None:
        print(f"dataset loaded in {info['load_seconds']:.1f} s")
    print("dataset: " + ", ".join(f"{v:,} {k}" for k, v in info["counts"].items()))

    only = {name.strip() for name in args.only.split(",") if name.strip()}
    rows = []
    urls: dict[str, str] = {}
    for user_key in [u.strip() for u in args.users.split(",") if u.strip()]:
        user = common.get_user(user_key)
        client = Client()
        client.force_login(user)
        for case in cases_for(user):
            if only and case.name not in only:
                continue
            urls.setdefault(case.name, case.url)
            if urls[case.name] != case.url:
                urls[f"{case.name} ({user_key})"] = case.url
            if args.explain:
                explain(client, case)
            result = time_case(client, case, args.runs)
            rows.append((user_key, case.name, result))
            print(
                f"  {user_key:<9}{case.name:<16}{result['median']:>9.1f}{result['p95']:>9.1f}"
                f"{result['queries']:>5}{result['status']:>5}",
                flush=True,
            )

    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n{args.runs} timed runs after {WARMUPS} warm-ups; milliseconds")
    print(f"machine: {os.cpu_count()} cores, load average now {load} (1, 5, 15 min)")
    print("| user | case | median ms | p95 ms | min ms | CPU ms | queries | HTTP | KiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for user_key, name, r in rows:
        print(
            f"| {user_key} | {name} | {r['median']:.1f} | {r['p95']:.1f} | {r['min']:.1f} "
            f"| {r['cpu']:.0f} | {r['queries']} "
            f"| {r['status']} | {r['bytes'] / 1024:.0f} |"
        )
    print("\nURLs:")
    for name, url in urls.items():
        print(f"  {name:<24}{url}")
    slow = [(u, n) for u, n, r in rows if n.startswith("topics") and r["median"] >= 300]
    if slow:
        print(
            "\nTopic-list cases at or over the 300 ms median budget: "
            + ", ".join(f"{u}/{n}" for u, n in slow)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
