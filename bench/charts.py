#!/usr/bin/env python
"""Time the dashboard charts page and one chart's .xlsx on PostgreSQL, through the real URLs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/charts.py

Uses the bench city of ``bench/common.py`` (built on first use, like ``bench/lists.py``; the
database name must contain "bench"). Signs in as the city-level and the district office user and
requests, for this year and for last year: the charts page of the user's own area and the
funnel's .xlsx. Prints median, p95 and minimum of ``--runs`` warm requests (milliseconds), the
CPU time per request, and the query count of one request.

Options: --runs N (default 20), --users city,district, --topics N / --sessions N (size of a new
dataset), --database-url URL.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.lists import Case, time_case


def cases_for(user) -> list[Case]:
    from django.urls import reverse
    from django.utils import timezone

    from dashboards.scope import resolve_scope

    node = resolve_scope(user).key
    year = timezone.localdate().year
    cases = []
    for label, params in (
        ("this year", []),
        ("last year", [("period", "year"), ("year", str(year - 1))]),
    ):
        cases.append(Case(f"charts {label}", reverse("dashboards:charts", args=[node]), params))
        cases.append(
            Case(
                f"funnel.xlsx {label}",
                reverse("dashboards:chart_xlsx", args=[node, "funnel"]),
                params,
            )
        )
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--users", default="city,district", help="city, district, admin")
    parser.add_argument("--topics", type=int, default=100_000, help="topics in a new dataset")
    parser.add_argument("--sessions", type=int, default=20_000, help="sessions in a new dataset")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    database_url = args.database_url or os.environ.get("DATABASE_URL", common.DEFAULT_DATABASE_URL)
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        raise SystemExit(f"Refusing to run: the database of {database_url!r} is not a bench one.")
    common.ensure_database(database_url)
    common.setup_django(database_url=database_url)

    from django.test import Client

    info = common.load(topics=args.topics, consultations=args.sessions)
    print("dataset: " + ", ".join(f"{v:,} {k}" for k, v in info["counts"].items()))
    print("| user | case | median ms | p95 ms | min ms | CPU ms | queries | HTTP |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for user_key in [u.strip() for u in args.users.split(",") if u.strip()]:
        user = common.get_user(user_key)
        client = Client()
        client.force_login(user)
        for case in cases_for(user):
            r = time_case(client, case, args.runs)
            print(
                f"| {user_key} | {case.name} | {r['median']:.1f} | {r['p95']:.1f} "
                f"| {r['min']:.1f} | {r['cpu']:.0f} | {r['queries']} | {r['status']} |",
                flush=True,
            )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n{args.runs} timed runs after warm-ups; machine: {os.cpu_count()} cores, load {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
