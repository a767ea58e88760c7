"""What the portal has mailed, one row per (message, recipient).

The row is written *before* the mail is sent, under a unique ``dedupe_key`` such as
``shift-reminder:<shift id>:<date>:m<member id>``: whoever inserts the key first owns the mail, and
anybody else (a second run of ``send_reminders``, an overlapping cron job, a retried request) gets
an IntegrityError and sends nothing. See notifications/delivery.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    TOPIC_RAISED = "topic_raised", "新议题提醒(工作人员)"
    TOPIC_STATUS = "topic_status", "议题状态变更(委员)"
    REFERRAL_OVERDUE = "referral_overdue", "交办逾期提醒(工作人员)"
    SHIFT_REMINDER = "shift_reminder", "值班提醒(委员)"
    DUTY_REVIEWED = "duty_reviewed", "履职审核结果(委员)"
    UNIT_ACTED = "unit_acted", "承办单位办理动态(工作人员)"


class NotificationStatus(models.TextChoices):
    # Recorded and handed to the task queue (``notifications.send_mail``), not yet sent.
    QUEUED = "queued", "待发送"
    PENDING = "pending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    # Recorded by ``send_reminders --baseline`` and never sent: the backlog found when the
    # reminders were switched on.
    BASELINE = "baseline", "启用前已存在,未发送"


class Notification(models.Model):
    kind = models.CharField("类型", max_length=24, choices=NotificationKind.choices)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收件用户",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    recipient_email = models.EmailField("收件地址")
    subject = models.CharField("主题", max_length=255)
    body = models.TextField("正文")
    # {"topic": 12, "referral": 3, "shift": 40, "event": 77}: kept as plain ids so deleting a
    # topic or a shift never deletes the record of what was sent about it.
    related = models.JSONField("相关对象", default=dict, blank=True)
    status = models.CharField(
        "状态",
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=1)
    error = models.CharField("错误", max_length=255, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知记录"
        verbose_name_plural = "通知记录"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_status_idx"),
            models.Index(fields=["kind", "created_at"], name="notification_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_email}"
