"""Check or rebuild the dashboard summary tables (``dashboards.summaries``).

Every write through Django (save, delete, bulk_create, update) keeps them in step by itself;
this is the safety net for what goes around the ORM (a manual SQL fix, a restored backup) and
the nightly proof that they are right. Run it from cron (README, "Production"):

    manage.py dashboard_summaries --check      # exit 1 and list the differences
    manage.py dashboard_summaries --repair     # check, and rebuild if anything differs
    manage.py dashboard_summaries --rebuild    # recompute everything from the records
"""

import time

from django.core.management.base import BaseCommand, CommandError

from dashboards import summaries


class Command(BaseCommand):
    help = "检查或重建看板汇总表。Check or rebuild the dashboard summary tables."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="只检查,不一致时退出码为 1")
        action.add_argument("--repair", action="store_true", help="检查,不一致时重建")
        action.add_argument("--rebuild", action="store_true", help="从原始记录全部重算")

    def handle(self, *args, check: bool, repair: bool, rebuild: bool, **options):
        started = time.monotonic()
        if not rebuild:
            problems = summaries.check()
            seconds = time.monotonic() - started
            if not problems:
                self.stdout.write(f"看板汇总表与原始记录一致。Summaries match ({seconds:.1f} s).")
                return
            for problem in problems:
                self.stderr.write(problem)
            if check:
                raise CommandError(
                    f"看板汇总表与原始记录不一致(前 {len(problems)} 处见上)。"
                    "Summaries differ from the records; run --repair."
                )
        rows = summaries.rebuild()
        self.stdout.write(
            f"看板汇总表已重建。Summaries rebuilt in {time.monotonic() - started:.1f} s: {rows}"
        )
