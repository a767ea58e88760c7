"""Admin pieces shared by the apps: every admin list and every choice is scoped to the user."""

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone

from .exports import csv_lines
from .models import AuditEntry, CalendarDay
from .roles import Role, scope_for


def _scoped(queryset, request):
    visible_to = getattr(queryset, "visible_to", None)
    return visible_to(request.user) if visible_to else queryset


class ScopedAdmin(admin.ModelAdmin):
    """Non-superusers see only rows of their area (``visible_to``), in lists and in FK choices."""

    list_per_page = 50

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(db_field.related_model._default_manager.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(db_field.related_model._default_manager.all(), request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInline(admin.TabularInline):
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(db_field.related_model._default_manager.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- the audit log: administrators read and export it; nobody edits it ------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "username", "ip", "summary"]
    list_filter = ["action", "at"]
    search_fields = ["username", "ip", "summary", "path"]
    date_hierarchy = "at"
    list_per_page = 100
    readonly_fields = ["at", "action", "user", "username", "ip", "path", "summary", "detail"]
    actions = ["export_csv"]

    def _is_administrator(self, request) -> bool:
        return scope_for(request.user).role == Role.ADMIN

    def has_module_permission(self, request):
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return self._is_administrator(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="导出所选审计日志(CSV)")
    def export_csv(self, request, queryset):
        header = ["时间", "操作", "用户名", "IP 地址", "页面", "内容", "详情"]
        rows = (
            [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.get_action_display(),
                e.username,
                e.ip,
                e.path,
                e.summary,
                str(e.detail),
            ]
            for e in queryset.order_by("at", "pk")
        )
        response = HttpResponse(
            "".join(csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        return response


# --- holidays and 调休 an office enters before the chinese-calendar package knows them ----------


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
    search_fields = ["name"]
