"""Daily reminders: overdue referrals to office staff, tomorrow's duty shifts to members.

    python manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]

Run it once a day (cron or a systemd timer, see README "提醒与通知"). Running it again the same day,
or two runs at once, sends nothing twice: every mail is recorded under a unique key before it is
sent (notifications/delivery.py).
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.reminders import send_reminders


class Command(BaseCommand):
    help = "发送每日提醒:交办逾期(工作人员)与明日值班(委员);重复运行不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="按这一天运行(YYYY-MM-DD,默认今天,Asia/Shanghai);值班提醒针对其次日。",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将发送的邮件,不发送、不记录。"
        )
        parser.add_argument(
            "--baseline",
            action="store_true",
            help="首次启用时使用:把现有的逾期交办记为已提醒而不发邮件(值班提醒照常发送)。",
        )

    def handle(self, *args, date=None, dry_run=False, baseline=False, **options):
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date 格式应为 YYYY-MM-DD:{date}") from error
        else:
            today = timezone.localdate()
        batches, (retried, retry_failed) = send_reminders(
            today=today, dry_run=dry_run, baseline=baseline
        )
        self.stdout.write(f"提醒日期 {today}{'(试运行,不发送、不记录)' if dry_run else ''}")
        failures = 0
        for batch in batches:
            report = batch.report
            verb = "将发送" if dry_run else "已发送"
            if batch.baseline:
                verb = "将记为已提醒(不发送)" if dry_run else "已记为已提醒(未发送)"
            for mail in report.sent:
                self.stdout.write(f"  {verb} {batch.title}:{mail.label}")
            for mail in report.failed:
                self.stdout.write(f"  发送失败 {batch.title}:{mail.label}")
            for line in batch.skipped:
                self.stdout.write(f"  跳过 {batch.title}:{line}")
            failures += len(report.failed)
            self.stdout.write(
                f"{batch.title}:{verb} {len(report.sent)} 封,此前已发送 {len(report.already)} 封,"
                f"失败 {len(report.failed)} 封,无邮箱跳过 {len(batch.skipped)} 人次"
            )
        if retried or retry_failed:
            verb = "将重发" if dry_run else "已重发"
            self.stdout.write(f"此前失败的邮件:{verb} {retried} 封,仍失败 {retry_failed} 封")
        failures += retry_failed
        if failures:
            raise CommandError(f"{failures} 封邮件发送失败,已记录,下次运行时重试。")
