from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the record of what was sent is written by the portal, never by hand."""

    list_display = ["created_at", "kind", "recipient_email", "subject", "status", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["recipient_email", "subject", "dedupe_key"]
    date_hierarchy = "created_at"

    def has_view_permission(self, request, obj=None):
        # Rows span every area and carry addresses: administrators only.
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
