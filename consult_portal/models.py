"""The base app's tables: the audit log (sign-ins, exports, imports, rights, admin writes), the
signed-in sessions, and the days an office marks as working days or holidays."""

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
