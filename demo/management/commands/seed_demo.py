"""``manage.py seed_demo``: fill the database with a believable demo city.

What it makes (at ``--scale city``): 宜昌市 with 10 districts, 80 townships and 400 communities;
300 venues of all eight kinds with brands and "六有" records; 1,200 members with venue teams,
liaison groups, a duty rota (each month published by its district office) and two years of
duties; government departments; 6,000 topics in every lifecycle state, each with the chain of
moves that led there, referrals and ratings; 3,000 sessions with attendance and linked topics;
and the demo accounts (password ``demo1234``): ``admin`` (superuser), ``staff`` (office, 西陵区)
and ``staff2``… (office, one per other district), ``leader`` (leadership, the city) and
``member`` (a member with two venues in 西陵区).

Determinism: every random choice comes from ``random.Random(--seed)``, but dates are laid out
backwards from ``timezone.localdate()`` at run time rather than from a fixed reference date,
because the dashboards show "this year" and "upcoming" duty days and sessions; a fixed date would
leave them empty a few months later. So two runs on the same day give identical rows (apart from
primary keys, password salts and auto timestamps). On another day the headline counts (areas,
venues, members, topics, sessions) are the same, while the finer split (topic states, events,
duty days, duties) moves a little, because histories are cut at yesterday.

Idempotent: if the demo city exists the command says so and does nothing; ``--reset`` deletes the
demo city with everything in it and the demo accounts (by username), then builds again.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dashboards import summaries
from demo.build import DemoBuilder
from demo.city import DEMO_PASSWORD
from demo.places import CITIES
from demo.reset import delete_demo_data, demo_root
from demo.scale import SCALES

DEFAULT_SEED = 20240601


class Command(BaseCommand):
    help = "生成演示数据(一座城市的阵地、委员、议题和协商活动)。Load demo data: a believable city."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="city",
            help="数据规模:city(演示城市)或 tiny(测试用)。Size: city, or tiny for tests.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"随机种子(默认 {DEFAULT_SEED})。Random seed.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先删除已有演示数据(含演示账号)再重建。Delete the demo data and "
            "demo accounts first, then rebuild.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="在 DEBUG=False 时也运行。Run even when DEBUG is off.",
        )

    def handle(self, *args, scale: str, seed: int, reset: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 未开启,拒绝写入演示数据(可能是生产环境);确需写入请加 --force。\n"
                "Refusing to load demo data with DEBUG off (this may be production); "
                "pass --force if you really mean it."
            )
        chosen = SCALES[scale]
        city = CITIES[chosen.city]
        started = time.monotonic()
        with transaction.atomic(), summaries.bulk_changes():
            if reset:
                if delete_demo_data(city):
                    self.stdout.write(
                        f"已删除原有演示数据。Deleted the existing demo data "
                        f"({time.monotonic() - started:.1f} s)."
                    )
            elif demo_root(city) is not None:
                self.stdout.write(
                    self.style.WARNING(
                        f"演示数据已存在({city.name}),未做任何修改;如需重建请加 --reset。\n"
                        f"Demo data already exists ({city.name}); nothing changed. "
                        "Use --reset to rebuild it."
                    )
                )
                return
            builder = DemoBuilder(scale=chosen, seed=seed, today=timezone.localdate())
            counts = builder.build()

        if options["verbosity"] >= 1:
            for label, count in counts.items():
                self.stdout.write(f"  {count:>7,}  {label}")
        if builder.reused_users:
            self.stdout.write(
                self.style.WARNING(
                    "这些账号已存在,沿用原密码。Existing accounts kept their passwords: "
                    + ", ".join(builder.reused_users)
                )
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成,用时 {elapsed:.1f} 秒;演示账号密码 {DEMO_PASSWORD}。\n"
                f"Demo data loaded in {elapsed:.1f} s; demo password: {DEMO_PASSWORD}."
            )
        )
