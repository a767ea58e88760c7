from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from consult_portal.admin import ScopedAdmin, ScopedInline

from .lifecycle import TopicStatus
from .models import (
    Attendance,
    Consultation,
    ConsultationAttachment,
    ConsultationTopic,
    Department,
    Referral,
    Topic,
    TopicCategory,
    TopicEvent,
)
from .services import topic_transition


@admin.register(TopicCategory)
class TopicCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "area", "contact_name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]


class TopicEventInline(admin.TabularInline):
    model = TopicEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReferralInline(ScopedInline):
    model = Referral
    fields = ["department", "role", "referred_on", "deadline", "replied_on", "reply"]


def _move_action(to: str):
    def action(modeladmin, request, queryset):
        moved = 0
        for topic in queryset.select_related("area"):
            try:
                topic_transition(topic=topic, actor=request.user, to=to, note="管理后台批量操作")
                moved += 1
            except (ValidationError, PermissionDenied) as error:
                messages.error(
                    request, f"{topic.title}:{' '.join(getattr(error, 'messages', [str(error)]))}"
                )
        if moved:
            messages.success(request, f"已将 {moved} 个议题转为“{TopicStatus(to).label}”。")

    action.__name__ = f"move_to_{to}"
    action.short_description = f"转为“{TopicStatus(to).label}”"
    return action


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    list_display = ["title", "status", "category", "area", "venue", "raised_on", "deadline"]
    list_filter = ["status", "source", "category", "priority", "rating"]
    search_fields = ["title", "tracking_code", "description"]
    date_hierarchy = "raised_on"
    list_select_related = ["category", "area", "venue"]
    autocomplete_fields = ["area", "venue", "raised_by_member"]
    # The status moves only through the lifecycle service (the actions below), never by hand.
    readonly_fields = ["status", "tracking_code", "resolved_on"]
    inlines = [ReferralInline, TopicEventInline]
    # 交办 (departments, deadline) and 办结 (public summary) need their forms on the topic page;
    # a bulk action would skip them, so the admin offers only the moves that need nothing more.
    actions = [
        _move_action(s)
        for s in (
            TopicStatus.ACCEPTED,
            TopicStatus.RESEARCHING,
            TopicStatus.CONSULTING,
            TopicStatus.AGREED,
        )
    ]


@admin.register(TopicEvent)
class TopicEventAdmin(ScopedAdmin):
    list_display = ["topic", "at", "actor", "from_status", "to_status"]
    list_filter = ["to_status"]
    search_fields = ["topic__title", "note"]
    list_select_related = ["topic", "actor"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(topic__in=Topic.objects.visible_to(request.user))
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Referral)
class ReferralAdmin(ScopedAdmin):
    list_display = ["topic", "department", "role", "referred_on", "deadline", "replied_on"]
    list_filter = ["role"]
    search_fields = ["topic__title", "department__name"]
    list_select_related = ["topic", "department"]
    autocomplete_fields = ["topic", "department"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(topic__in=Topic.objects.visible_to(request.user))
        )


class AttendanceInline(ScopedInline):
    model = Attendance
    fields = ["member", "status"]
    autocomplete_fields = ["member"]


class ConsultationTopicInline(ScopedInline):
    model = ConsultationTopic
    fields = ["topic", "note"]
    autocomplete_fields = ["topic"]


class ConsultationAttachmentInline(ScopedInline):
    model = ConsultationAttachment
    fields = ["original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(ScopedAdmin):
    list_display = ["title", "held_at", "venue", "form", "host"]
    list_filter = ["form"]
    search_fields = ["title", "venue__name", "minutes"]
    date_hierarchy = "held_at"
    list_select_related = ["venue", "host"]
    autocomplete_fields = ["venue", "host"]
    filter_horizontal = ["departments"]
    inlines = [AttendanceInline, ConsultationTopicInline, ConsultationAttachmentInline]


class _ConsultationChildAdmin(ScopedAdmin):
    """Rows that hang off a session are visible when the session is."""

    list_select_related = ["consultation"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(consultation__in=Consultation.objects.visible_to(request.user))
        )


@admin.register(Attendance)
class AttendanceAdmin(_ConsultationChildAdmin):
    list_display = ["consultation", "member", "status"]
    list_filter = ["status"]
    search_fields = ["consultation__title", "member__name"]
    list_select_related = ["consultation", "member"]
    autocomplete_fields = ["consultation", "member"]


@admin.register(ConsultationTopic)
class ConsultationTopicAdmin(_ConsultationChildAdmin):
    list_display = ["consultation", "topic"]
    search_fields = ["consultation__title", "topic__title"]
    list_select_related = ["consultation", "topic"]
    autocomplete_fields = ["consultation", "topic"]


@admin.register(ConsultationAttachment)
class ConsultationAttachmentAdmin(_ConsultationChildAdmin):
    list_display = ["original_name", "consultation", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "consultation__title"]
    readonly_fields = ["content_type", "size", "uploaded_by", "uploaded_at"]
