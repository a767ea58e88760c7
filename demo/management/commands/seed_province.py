"""``manage.py seed_province``: a whole province of records, for the dashboard benchmark.

PostgreSQL only (the rows go in with ``COPY``), and only into a database whose name contains
"bench" or "province", because the load sets the tables' keys aside while it runs and ``--reset``
drops the schema. What it makes and how: ``demo.province``.

Idempotent: when the province is there already it says so and stops; a database holding other
topics or areas is refused (the load assigns its own ids). ``--reset`` drops every table and
migrates again first. The timings printed per step, for the index rebuild and for ``VACUUM
ANALYZE`` are the figures docs/BENCHMARKS.md quotes.
"""

from __future__ import annotations

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from dashboards import summaries
from demo.province import PROVINCE_CODE, PROVINCE_SCALES, ProvinceLoader, check_tree
from platforms.models import Area
from topics.models import Topic

DEFAULT_SEED = 20261129
SAFE_NAME_PARTS = ("bench", "province")


def check_database() -> None:
    """Refuse anything but a throw-away PostgreSQL database."""
    if connection.vendor != "postgresql":
        raise CommandError(
            "seed_province 只支持 PostgreSQL(用 COPY 批量写入)。请把 DATABASE_URL 指向 PostgreSQL,"
            "例如 postgres://postgres@127.0.0.1:5432/cp_province。\n"
            "seed_province needs PostgreSQL (it loads with COPY); this database is "
            f"{connection.vendor}."
        )
    name = str(connection.settings_dict["NAME"])
    if not any(part in name for part in SAFE_NAME_PARTS):
        raise CommandError(
            f"拒绝写入数据库 {name!r}:库名须包含 bench 或 province,以免覆盖真实数据。\n"
            f"Refusing to load into {name!r}: the name must contain 'bench' or 'province'."
        )


class Command(BaseCommand):
    help = (
        "生成全省规模的基准测试数据(仅限 PostgreSQL)。"
        "Load a province of benchmark data (PostgreSQL only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(PROVINCE_SCALES), default="province")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先删除全部数据表并重新迁移。Drop every table first.",
        )

    def handle(self, *args, scale: str, seed: int, reset: bool, **options):
        check_database()
        if reset:
            with connection.cursor() as cur:
                cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            call_command("migrate", verbosity=0)
        if Area.objects.filter(code=PROVINCE_CODE, depth=1).exists():
            self.stdout.write(
                "全省数据已存在,未做改动(要重建请加 --reset)。"
                "The province is already loaded; nothing done (pass --reset to rebuild)."
            )
            return
        if Area.objects.exists() or Topic.objects.exists():
            raise CommandError(
                "数据库中已有其他区划或议题,拒绝写入(要清空重建请加 --reset)。"
                "This database holds other areas or topics; pass --reset to start from empty."
            )
        self.stdout.write(f"load average before: {_load()}")
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cur.execute("SET LOCAL synchronous_commit = off")
            loader = ProvinceLoader(
                cur,
                scale=PROVINCE_SCALES[scale],
                seed=seed,
                today=timezone.localdate(),
                out=lambda line: self.stdout.write(line, ending="\n") or self.stdout.flush(),
            )
            counts, _seconds = loader.load()
            summarised = time.monotonic()
            summary_rows = summaries.rebuild()
            self.stdout.write(
                f"  dashboard summaries: {time.monotonic() - summarised:.1f} s ({summary_rows})"
            )
        committed = time.monotonic()
        if not connection.in_atomic_block:
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
            self.stdout.write(f"  VACUUM ANALYZE: {time.monotonic() - committed:.1f} s")
        total = time.monotonic() - started
        problems = check_tree()
        if problems:
            raise CommandError("区划树校验失败 / the area tree is broken: " + "; ".join(problems))
        self.stdout.write("rows:")
        for table, rows in counts.items():
            self.stdout.write(f"  {table:34} {rows:>12,}")
        self.stdout.write(
            f"total {total:.1f} s ({total / 60:.1f} min); load average after: {_load()}"
        )
        self.stdout.write("area tree: treebeard find_problems() clean, sample children match")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on this platform
        return "n/a"
