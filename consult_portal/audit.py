"""The audit log: one row per sign-in (success or failure), sign-out, export, import, change of a
user's groups or permissions, and write in the admin.

``record`` is called where the thing happens (the list export, the dashboards' workbooks, the
importer's commit); sign-ins, rights and admin writes come from Django's own signals, connected
in ``ConsultPortalConfig.ready`` because those writes happen inside Django and its admin.
"""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save

from .http import client_ip
from .models import AuditAction, AuditEntry


def record(action: str, *, request=None, user=None, summary: str = "", **detail) -> AuditEntry:
    if user is None and request is not None:
        user = getattr(request, "user", None)
    signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
    return AuditEntry.objects.create(
        action=action,
        user=user if signed_in else None,
        username=detail.pop("username", "") or (user.get_username() if signed_in else ""),
        ip=client_ip(request) if request is not None else "",
        path=(request.get_full_path()[:300] if request is not None else ""),
        summary=summary[:300],
        detail=detail,
    )


def record_export(request, *, what: str, rows: int, fmt: str) -> None:
    filters = {k: v for k, v in request.GET.items() if k not in ("export", "page")}
    record(
        AuditAction.EXPORT,
        request=request,
        summary=f"导出{what}({fmt},{rows} 行)",
        what=what,
        format=fmt,
        rows=rows,
        filters=filters,
    )


def _logged_in(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, request=request, user=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, request=request, user=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(AuditAction.LOGIN_FAILED, request=request, username=username, summary=username)


def _groups_changed(sender, instance, action, pk_set, model, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if model is Group:  # user.groups.add(...)
        users, groups = [instance], list(Group.objects.filter(pk__in=pk_set or ()))
    else:  # group.user_set.add(...)
        users, groups = list(model.objects.filter(pk__in=pk_set or ())), [instance]
    verb = {"post_add": "加入", "post_remove": "移出", "post_clear": "清空"}[action]
    names = "、".join(g.name for g in groups) or "全部用户组"
    for user in users:
        record(
            AuditAction.GROUPS,
            username=user.get_username(),
            summary=f"{user.get_username()} {verb} {names}",
            change=action,
            groups=[g.name for g in groups],
        )


def _permissions_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    label = instance.name if isinstance(instance, Group) else instance.get_username()
    verb = {"post_add": "增加", "post_remove": "减少", "post_clear": "清空"}[action]
    record(
        AuditAction.PERMISSIONS,
        username="" if isinstance(instance, Group) else label,
        summary=f"{label} 的权限{verb}",
        change=action,
        permission_ids=sorted(pk_set or ()),
    )


def _admin_write(sender, instance: LogEntry, created, raw=False, **kwargs):
    if not created or raw:
        return
    record(
        AuditAction.ADMIN_WRITE,
        user=instance.user,
        summary=f"{instance.get_action_flag_display()}:{instance.object_repr}"[:300],
        model=str(instance.content_type) if instance.content_type_id else "",
        object_id=instance.object_id or "",
        change=instance.get_change_message(),
    )


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
    m2m_changed.connect(
        _groups_changed, sender=user_model.groups.through, dispatch_uid="audit-groups"
    )
    m2m_changed.connect(
        _permissions_changed,
        sender=user_model.user_permissions.through,
        dispatch_uid="audit-user-perms",
    )
    m2m_changed.connect(
        _permissions_changed, sender=Group.permissions.through, dispatch_uid="audit-group-perms"
    )
    post_save.connect(_admin_write, sender=LogEntry, dispatch_uid="audit-admin-write")
