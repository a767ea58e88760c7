#!/usr/bin/env python
"""Time the header search (/search/?q=) and the topic list's keyword filter on the bench city
(100,000 topics, PostgreSQL), with the trigram and bigram indexes and, with ``--compare``,
without them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/search.py

Uses the dataset of ``bench/lists.py`` (built on first use). Cases: a common word (电梯, in
thousands of titles), a rare phrase (taken from one topic's title), a word in no topic, a
member's pinyin initials and full spelling, a tracking code (a 302 to the topic) and the topic
list's ``?q=`` with the common and the rare word. ``--compare`` drops those indexes, times
the same cases, and makes them again (without its index a two-character query still calls
``cp_bigrams`` on every row, so "no index" is not main's plain ``icontains``).
Options: --runs N, --users city,district, --compare.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.lists import Case, time_case

TRIGRAM_INDEXES = [
    ("topic_title_trgm", "topics_topic", "title"),
    ("topic_description_trgm", "topics_topic", "description"),
    ("consultation_title_trgm", "topics_consultation", "title"),
    ("member_name_trgm", "members_member", "name"),
    ("member_pinyin_trgm", "members_member", "search_pinyin"),
    ("venue_name_trgm", "platforms_venue", "name"),
    ("venue_pinyin_trgm", "platforms_venue", "search_pinyin"),
    ("department_pinyin_trgm", "topics_department", "search_pinyin"),
]
BIGRAM_INDEXES = [
    ("topic_title_bigram", "topics_topic", "title"),
    ("topic_description_bigram", "topics_topic", "description"),
]


def fill_missing_pinyin() -> int:
    """A dataset loaded before the column existed: fill it as the migration would."""
    from members.models import Member
    from platforms.models import Venue
    from topics.models import Department

    filled = 0
    for model in (Member, Venue, Department):
        rows = list(model.objects.filter(search_pinyin="").only("pk", "name"))
        for row in rows:
            row.refresh_search_pinyin()
        model.objects.bulk_update(rows, ["search_pinyin"], batch_size=1000)
        filled += len(rows)
    return filled


def cases(user) -> list[Case]:
    from django.urls import reverse

    from members.models import Member
    from topics.models import Topic

    topics = Topic.objects.visible_to(user)
    rare = topics.order_by("pk").values_list("title", flat=True)[len(topics) // 2 :][:1]
    rare_phrase = rare[0][2:8] if rare else "路灯"
    member = Member.objects.visible_to(user).order_by("pk").first()
    initials = member.search_pinyin.split(" ")[1]
    full = member.search_pinyin.split(" ")[0][:8]
    code = topics.order_by("pk").values_list("tracking_code", flat=True).first()
    search, topic_list = reverse("search"), reverse("topics:list")
    return [
        Case("search_common", search, [("q", "电梯")]),
        Case("search_rare", search, [("q", rare_phrase)]),
        Case("search_none", search, [("q", "量子计算机")]),
        Case("search_initials", search, [("q", initials)]),
        Case("search_spelling", search, [("q", full)]),
        Case("search_code", search, [("q", code.lower())]),
        Case("list_q_common", topic_list, [("q", "电梯")]),
        Case("list_q_rare", topic_list, [("q", rare_phrase)]),
    ]


def run(users: list[str], runs: int, label: str) -> list[tuple]:
    from django.test import Client, override_settings

    rows = []
    for key in users:
        user = common.get_user(key)
        client = Client()
        # force_login has no REMOTE_ADDR: the login signal's access log would store "unknown"
        # in an inet column, which PostgreSQL refuses (main's consult_portal.http.client_ip).
        with override_settings(AXES_ENABLED=False):
            client.force_login(user)
        for case in cases(user):
            r = time_case(client, case, runs)
            rows.append((label, key, case, r))
            print(
                f"  {label:<11}{key:<9}{case.name:<17}{r['median']:>8.1f}{r['p95']:>8.1f}"
                f"{r['queries']:>4}{r['status']:>5}",
                flush=True,
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--users", default="city,district")
    parser.add_argument("--compare", action="store_true", help="also time without the indexes")
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", common.DEFAULT_DATABASE_URL)
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        raise SystemExit(f"Refusing to run: the database of {database_url!r} is not a bench one.")
    common.ensure_database(database_url)
    common.setup_django(database_url=database_url)
    from django.db import connection

    info = common.load()
    print("dataset: " + ", ".join(f"{v:,} {k}" for k, v in info["counts"].items()))
    if filled := fill_missing_pinyin():
        print(f"filled search_pinyin of {filled:,} rows loaded before the column existed")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    users = [u.strip() for u in args.users.split(",") if u.strip()]
    rows = run(users, args.runs, "indexes")
    if args.compare:
        with connection.cursor() as cur:
            for name, _table, _column in TRIGRAM_INDEXES + BIGRAM_INDEXES:
                cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        try:
            rows += run(users, args.runs, "no index")
        finally:
            with connection.cursor() as cur:
                for name, table, column in TRIGRAM_INDEXES:
                    cur.execute(
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                        f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
                    )
                for name, table, column in BIGRAM_INDEXES:
                    cur.execute(
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                        f'USING gin (cp_bigrams("{column}"))'
                    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n{args.runs} timed runs after warm-ups; milliseconds; load average {load}")
    print("| indexes | user | case | median ms | p95 ms | queries | HTTP | URL |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for label, key, case, r in rows:
        print(
            f"| {label} | {key} | {case.name} | {r['median']:.1f} | {r['p95']:.1f} "
            f"| {r['queries']} | {r['status']} | `{case.url}` |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
