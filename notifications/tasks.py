"""The mail tasks (consult_portal.celery): each event's mails, one send per mail, the daily
reminders. All idempotent: a mail's row under its unique key is the record that it was sent."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from consult_portal.jobs import JobTask, backoff, dispatch

from . import delivery, events, reminders

# Retries of one mail after the server refused it: 30 s, 1, 2, 4, 8 minutes, … (jobs.backoff);
# after the last, the mail stays 发送失败 (send_reminders retries it the next evening) and the
# job is listed on the failed-jobs page.
MAIL_RETRIES = 6


@shared_task(
    bind=True,
    base=JobTask,
    name="notifications.send_mail",
    label="发送邮件",
    max_retries=MAIL_RETRIES,
)
def send_mail(self, *, notification_id: int) -> bool:
    try:
        return delivery.send_queued(notification_id)
    except delivery.MailFailed as error:
        # Inline (development, tests) a retry would hold the request: fail at once, the row is
        # 发送失败 and the failed-jobs page or the next send_reminders sends it again.
        if self.request.is_eager:
            raise
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error


def send_mail_now(notification_id: int) -> None:
    """Queue the send of a recorded mail (its row is committed already)."""
    dispatch(send_mail, {"notification_id": notification_id})


@shared_task(base=JobTask, name="notifications.mail_topic_raised", label="新议题邮件")
def mail_topic_raised(*, topic_id: int, actor_id: int | None = None) -> int:
    report = events.send_topic_raised(topic_id, actor_id=actor_id)
    return len(report.sent) if report else 0


@shared_task(base=JobTask, name="notifications.mail_topic_status", label="议题进展邮件")
def mail_topic_status(*, event_id: int, actor_id: int | None = None) -> int:
    report = events.send_topic_status(event_id, actor_id=actor_id)
    return len(report.sent) if report else 0


@shared_task(base=JobTask, name="notifications.mail_unit_acted", label="承办单位办理动态邮件")
def mail_unit_acted(*, event_id: int, actor_id: int | None = None) -> int:
    report = events.send_unit_acted(event_id, actor_id=actor_id)
    return len(report.sent) if report else 0


@shared_task(base=JobTask, name="notifications.mail_duty_reviewed", label="履职审核邮件")
def mail_duty_reviewed(*, duty_id: int, reviewed_at: str) -> int:
    report = events.send_duty_reviewed(duty_id, datetime.datetime.fromisoformat(reviewed_at))
    return len(report.sent) if report else 0


@shared_task(base=JobTask, name="notifications.send_reminders", label="每日提醒")
def send_reminders(*, date: str | None = None) -> dict:
    """The daily reminders (``celery beat`` at 18:00; ``manage.py send_reminders`` does the same
    by hand). Safe to run twice: every reminder has its dedupe key."""
    today = datetime.date.fromisoformat(date) if date else timezone.localdate()
    batches, (retried, still_failed) = reminders.send_reminders(today=today)
    failed = sum(len(b.report.failed) for b in batches) + still_failed
    summary = {b.title: len(b.report.sent) for b in batches}
    if failed:
        raise delivery.MailFailed(f"{failed} 封邮件发送失败(已记录,下次运行时重发)")
    return {**summary, "retried": retried}
