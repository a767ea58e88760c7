"""The daily reminders of ``manage.py send_reminders``.

- 交办逾期: a referral past its deadline with no reply, on a topic still open → the office staff
  whose area contains the topic, once per referral and person.
- 值班提醒: a duty shift tomorrow that still stands (scheduled, confirmed, or a swap asked for but
  not yet made) → the member on duty, once per shift, date and member.

Both are safe to run again: every mail goes through ``delivery.deliver`` under a dedupe key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse

from members.models import DutyShift, ShiftStatus
from topics import rules as topic_rules
from topics.models import Referral

from .delivery import Mail, Report, absolute_url, deliver, retry_failed
from .models import NotificationKind
from .recipients import Recipient, StaffDirectory

# Shifts that still need the member to turn up tomorrow.
SHIFT_STANDING = (ShiftStatus.SCHEDULED, ShiftStatus.CONFIRMED, ShiftStatus.SWAP_REQUESTED)


@dataclass
class Batch:
    title: str
    kind: str
    mails: list[Mail] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    report: Report | None = None
    baseline: bool = False


def referral_overdue_batch(today: datetime.date) -> Batch:
    batch = Batch("交办逾期提醒", NotificationKind.REFERRAL_OVERDUE)
    referrals = (
        Referral.objects.filter(topic_rules.referral_overdue_q(today))
        .select_related("topic__area", "topic__venue", "department")
        .order_by("deadline", "pk")
    )
    staff = StaffDirectory()
    for referral in referrals:
        topic = referral.topic
        people = staff.for_area(topic.area)
        what = f"议题 #{topic.pk} 交办{referral.department.name}(期限 {referral.deadline})"
        batch.skipped.extend(f"{what}:{name}" for name in people.skipped)
        context = {
            "referral": referral,
            "topic": topic,
            "days_late": (today - referral.deadline).days,
            "link": absolute_url(reverse("topics:detail", args=[topic.pk])),
        }
        batch.mails.extend(
            Mail(
                kind=NotificationKind.REFERRAL_OVERDUE,
                key=f"referral-overdue:{referral.pk}:u{person.user_id}",
                recipient=person,
                template="notifications/referral_overdue",
                context=context,
                related={"topic": topic.pk, "referral": referral.pk},
                label=f"{what} → {person.email}",
            )
            for person in people.found
        )
    return batch


def shift_reminder_batch(today: datetime.date) -> Batch:
    batch = Batch("值班提醒", NotificationKind.SHIFT_REMINDER)
    tomorrow = today + datetime.timedelta(days=1)
    shifts = (
        DutyShift.objects.filter(date=tomorrow, status__in=SHIFT_STANDING, member__is_active=True)
        .select_related("member__user", "venue")
        .order_by("venue_id", "slot", "pk")
    )
    home = absolute_url(reverse("home"))
    for shift in shifts:
        member, user = shift.member, shift.member.user
        what = f"{shift.date} {shift.get_slot_display()} {shift.venue.name} {member.name}"
        if user is None or not user.is_active or not user.email:
            batch.skipped.append(f"{what}:委员无登录账号或邮箱")
            continue
        batch.mails.append(
            Mail(
                kind=NotificationKind.SHIFT_REMINDER,
                key=f"shift-reminder:{shift.pk}:{shift.date.isoformat()}:m{member.pk}",
                recipient=Recipient(user.pk, user.email, member.name),
                template="notifications/shift_reminder",
                context={"shift": shift, "venue": shift.venue, "member": member, "link": home},
                related={"shift": shift.pk, "member": member.pk, "venue": shift.venue_id},
                label=f"{what} → {user.email}",
            )
        )
    return batch


def send_reminders(
    *, today: datetime.date, dry_run: bool = False, baseline: bool = False
) -> tuple[list[Batch], tuple]:
    """Retry mails that failed on an earlier run, then build and send both batches. Returns the
    batches (each with its delivery report) and (retried sent, retried still failing).

    ``baseline`` (the first run on a database with history) records today's overdue referrals
    as if reminded, without mailing them, so switching reminders on does not mail every referral
    that ever ran late; shift reminders are sent as usual."""
    retried = (0, 0) if baseline else retry_failed(dry_run=dry_run)
    batches = [referral_overdue_batch(today), shift_reminder_batch(today)]
    for batch in batches:
        is_backlog = baseline and batch.kind == NotificationKind.REFERRAL_OVERDUE
        batch.report = deliver(batch.mails, dry_run=dry_run, baseline=is_backlog)
        batch.baseline = is_backlog
    return batches, retried
