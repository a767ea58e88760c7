"""The base app's tables: the audit log (sign-ins, exports, imports, rights, admin writes), the
signed-in sessions, the queued jobs (consult_portal.jobs), and the days an office marks as
working days or holidays."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出登录"
    EXPORT = "export", "导出数据"
    IMPORT = "import", "导入数据"
    GROUPS = "groups", "角色(用户组)变更"
    PERMISSIONS = "permissions", "权限变更"
    ADMIN_WRITE = "admin_write", "管理后台修改"


class AuditEntry(models.Model):
    """One thing done that an administrator may need to account for later. Rows are only ever
    added (by ``consult_portal.audit.record``); the admin shows and exports them, never edits."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    action = models.CharField("操作", max_length=16, choices=AuditAction.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as typed, so a failed login with an unknown name and a deleted user stay readable.
    username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    ip = models.CharField("IP 地址", max_length=64, blank=True)
    path = models.CharField("页面", max_length=300, blank=True)
    summary = models.CharField("内容", max_length=300, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.username}"


class SignedInSession(models.Model):
    """A session a user signed in with, so they can see where they are signed in and sign out of
    a device they no longer hold (``/accounts/sessions/``). Added at sign-in, removed at sign-out;
    the session itself stays in Django's session store."""

    session_key = models.CharField("会话", max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="signed_in_sessions",
    )
    ip = models.CharField("IP 地址", max_length=64, blank=True)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)
    started_at = models.DateTimeField("登录时间", default=timezone.now)
    last_seen_at = models.DateTimeField("最近访问", default=timezone.now)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.ip}"


class CalendarDay(models.Model):
    """A day whose working-day status an office states itself: the next year's holidays and 调休
    working weekends before the ``chinese-calendar`` package knows them (the State Council
    publishes them in November), or a local correction. Days without a row follow the package,
    and beyond its years Monday to Friday (``consult_portal.workdays``)."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "是否工作日", help_text="勾选:当天上班(如调休的周末);不勾选:当天放假。"
    )
    name = models.CharField("说明", max_length=32, blank=True, help_text="如“春节”“国庆调休上班”")

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'上班' if self.is_workday else '放假'} {self.name}".strip()


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> JobQuerySet:
        """Administrators see every job; anybody else only the jobs they asked for (an export,
        an import). Background jobs (mails, reminders) have no owner: administrators only."""
        from .roles import scope_for

        if scope_for(user).everything:
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)


class Job(models.Model):
    """One run of a queued task that somebody may look at: a job a user waits for (an export, an
    import preview; written when it is queued) or any task that failed for good (written by
    ``consult_portal.jobs.JobTask.on_failure``, with what it needs to run again). The Celery
    task id is this row's id, so the worker finds the row without a lookup table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField("任务类型", max_length=100)
    label = models.CharField("任务", max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kwargs = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    error = models.TextField("错误", blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    # A generated file, by its name in the default storage (consult_portal.jobs.save_job_file).
    file = models.CharField("文件", max_length=300, blank=True)
    attempts = models.PositiveIntegerField("运行次数", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label or self.task} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
