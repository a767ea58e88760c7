"""Render, record and send mails, each at most once.

Insert first, then send. ``deliver`` writes the Notification row (status 发送中) in its own
transaction *before* handing the mail to the backend; the unique ``dedupe_key`` makes the insert
the lock. Two overlapping runs of ``send_reminders`` (or a rerun the same day) race on the insert:
on PostgreSQL the second INSERT waits for the first transaction and then fails with an
IntegrityError, on SQLite writes are serialized anyway, so exactly one of them sends.

Chosen over ``select_for_update``: there is no row to lock before the first mail is sent, and a
lock held across an SMTP conversation would keep a transaction open for seconds. The price is
"at most once" rather than "exactly once": if the process dies between the insert and the send,
the row stays 发送中 and that mail is not retried automatically (the admin shows it). A send that
fails with an error is marked 发送失败 and ``send_reminders`` retries it (``retry_failed``).

Mails that follow an event (``events``) go through the task queue: ``queue`` records them as
待发送 and queues one ``notifications.send_mail`` task per mail, which claims the row
(``send_queued``) and is retried with backoff while the server refuses. The daily reminders are
already a task (``notifications.send_reminders``) and send in it, one connection for the batch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, NotificationStatus
from .recipients import Recipient

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def absolute_url(path: str) -> str:
    """A link for a mail: ``PORTAL_BASE_URL`` (no request to build it from) plus the path."""
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000")
    return base.rstrip("/") + path


@dataclass
class Mail:
    kind: str
    key: str
    recipient: Recipient
    template: str  # "notifications/<name>" → <name>_subject.txt and <name>_body.txt
    context: dict
    related: dict = field(default_factory=dict)
    label: str = ""  # one line for the command's output

    def render(self) -> tuple[str, str]:
        context = {**self.context, "recipient": self.recipient}
        # The portal's language, whatever the request that triggered the mail was using.
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"{self.template}_subject.txt", context)
            body = render_to_string(f"{self.template}_body.txt", context)
        return " ".join(subject.split())[:255], body.strip() + "\n"


@dataclass
class Report:
    sent: list[Mail] = field(default_factory=list)
    already: list[Mail] = field(default_factory=list)
    failed: list[Mail] = field(default_factory=list)


def _claim(
    mail: Mail, subject: str, body: str, status: str = NotificationStatus.PENDING
) -> Notification | None:
    """Insert the record; None when the key is already taken (sent, being sent, or failed)."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                kind=mail.kind,
                dedupe_key=mail.key,
                recipient_id=mail.recipient.user_id,
                recipient_email=mail.recipient.email,
                subject=subject,
                body=body,
                related=mail.related,
                status=status,
            )
    except IntegrityError:
        return None


def _send(record: Notification, connection) -> bool:
    message = EmailMessage(
        subject=record.subject,
        body=record.body,
        to=[record.recipient_email],
        connection=connection,
    )
    try:
        message.send()
    except Exception as error:  # smtplib, socket and ssl errors alike: record and go on
        logger.warning("Mail %s to %s failed: %s", record.dedupe_key, record.recipient_email, error)
        Notification.objects.filter(pk=record.pk).update(
            status=NotificationStatus.FAILED, error=str(error)[:255]
        )
        return False
    Notification.objects.filter(pk=record.pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), error=""
    )
    return True


def _recorded_keys(keys: list[str], chunk: int = 500) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        rows = Notification.objects.filter(dedupe_key__in=part).values_list("dedupe_key", flat=True)
        taken.update(rows)
    return taken


def deliver(mails: list[Mail], *, dry_run: bool = False, baseline: bool = False) -> Report:
    """Send each mail unless its key was recorded before. ``dry_run`` records and sends nothing
    and reports as "sent" what would be sent. ``baseline`` records the keys as 启用前已存在 and
    sends nothing, so a backlog is never mailed (reported as "sent")."""
    report = Report()
    if not mails:
        return report
    # Keys recorded on an earlier run are skipped without rendering; the unique insert in
    # ``_claim`` still decides for the rest, whatever runs at the same time.
    taken = _recorded_keys([m.key for m in mails])
    report.already = [m for m in mails if m.key in taken]
    mails = [m for m in mails if m.key not in taken]
    if dry_run:
        report.sent = mails
        return report
    if baseline:
        for mail in mails:
            subject, body = mail.render()
            record = _claim(mail, subject, body, status=NotificationStatus.BASELINE)
            (report.already if record is None else report.sent).append(mail)
        return report
    with get_connection() as connection:
        for mail in mails:
            subject, body = mail.render()
            record = _claim(mail, subject, body)
            if record is None:
                report.already.append(mail)
            elif _send(record, connection):
                report.sent.append(mail)
            else:
                report.failed.append(mail)
    return report


class MailFailed(Exception):
    """The mail server refused or could not be reached; the row says 发送失败."""


def send_queued(notification_id: int) -> bool:
    """Send one recorded mail (the ``notifications.send_mail`` task). The row is claimed with a
    conditional UPDATE — 待发送 (first try) or 发送失败 (a retry) to 发送中 — so a task that runs
    twice (a retry, a redelivered message) or beside ``send_reminders`` never mails twice: a row
    already 已发送 (the sent-marker) or being sent by another worker is left alone. Returns
    whether this call sent it; raises ``MailFailed`` when the server refused it."""
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.QUEUED
    ).update(status=NotificationStatus.PENDING)
    if not claimed:
        claimed = Notification.objects.filter(
            pk=notification_id, status=NotificationStatus.FAILED
        ).update(status=NotificationStatus.PENDING, attempts=F("attempts") + 1)
    if not claimed:
        return False
    record = Notification.objects.get(pk=notification_id)
    with get_connection() as connection:
        if _send(record, connection):
            return True
    record.refresh_from_db(fields=["error"])
    raise MailFailed(record.error or "发送失败")


def queue(mails: list[Mail]) -> Report:
    """Record each mail (待发送) unless its key was recorded before, and hand each new one to the
    task queue: mails of an event are sent by a worker, each retried with backoff on its own
    (``notifications.tasks.send_mail``). ``report.sent`` lists the mails queued."""
    from . import tasks

    report = Report()
    for mail in mails:
        subject, body = mail.render()
        record = _claim(mail, subject, body, status=NotificationStatus.QUEUED)
        if record is None:
            report.already.append(mail)
            continue
        report.sent.append(mail)
        # The row is committed (``_claim``; the event task runs after the write's commit), so
        # the send is queued at once rather than on a commit that may never come in a worker.
        tasks.send_mail_now(record.pk)
    return report


def retry_failed(*, dry_run: bool = False) -> tuple[int, int]:
    """Resend mails whose earlier attempt failed (fewer than MAX_ATTEMPTS tries). Each row is
    claimed with a conditional UPDATE, so two runs cannot both resend it. Returns (sent, failed)."""
    rows = list(
        Notification.objects.filter(
            status=NotificationStatus.FAILED, attempts__lt=MAX_ATTEMPTS
        ).order_by("pk")
    )
    if dry_run:
        return len(rows), 0
    sent = failed = 0
    with get_connection() as connection:
        for record in rows:
            claimed = Notification.objects.filter(
                pk=record.pk, status=NotificationStatus.FAILED
            ).update(status=NotificationStatus.PENDING, attempts=F("attempts") + 1)
            if not claimed:
                continue
            if _send(record, connection):
                sent += 1
            else:
                failed += 1
    return sent, failed
