from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from consult_portal.admin import ScopedAdmin, ScopedInline

from .forms.consultation import sniff_attachment
from .lifecycle import TopicStatus
from .models import (
    Attendance,
    Consultation,
    ConsultationAttachment,
    ConsultationTopic,
    Department,
    EventKind,
    Referral,
    ReferralAttachment,
    ReferralExtension,
    Topic,
    TopicCategory,
    TopicEvent,
    TopicFollowUp,
    TopicPair,
    TopicPhoto,
    TopicVisit,
    UnitAccount,
)
from .services import topic_transition
from .services.sessions import attachment_store


@admin.register(TopicCategory)
class TopicCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "kind", "area", "contact_name", "is_active"]
    list_filter = ["kind", "is_active"]
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


# What the lifecycle owns is never typed in the admin: a state, a rating or a reply changed here
# would skip the move's checks and its event (the public tracker would show a rating the
# resident never gave). Those fields are read-only, topics are raised and referred on the site,
# and every other change made here leaves a 后台修改 event naming the fields.
TOPIC_LIFECYCLE_FIELDS = [
    "status",
    "tracking_code",
    "resolved_on",
    "rating",
    "rated_on",
    "merged_into",
]
REFERRAL_LIFECYCLE_FIELDS = ["referred_on", "replied_on", "reply"]


def _changed_labels(form) -> list[str]:
    model = form._meta.model
    return [str(model._meta.get_field(name).verbose_name) for name in form.changed_data]


def record_admin_edit(*, topic: Topic, actor, labels: list[str], what: str = "") -> None:
    """One 后台修改 event on the topic's timeline for a save in the admin that changed something."""
    if not labels:
        return
    TopicEvent.objects.create(
        topic=topic,
        kind=EventKind.EDIT,
        actor=actor,
        from_status=topic.status,
        to_status=topic.status,
        note=f"管理后台修改{what}:{'、'.join(labels)}",
    )


class ReferralInline(ScopedInline):
    model = Referral
    fields = ["department", "role", "referred_on", "deadline", "replied_on", "reply"]
    readonly_fields = REFERRAL_LIFECYCLE_FIELDS

    def has_add_permission(self, request, obj=None):
        return False  # 交办 is a move on the topic page (departments, deadline, the event)

    def has_delete_permission(self, request, obj=None):
        return False


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
    readonly_fields = TOPIC_LIFECYCLE_FIELDS
    inlines = [ReferralInline, TopicEventInline]

    def has_add_permission(self, request):
        return False  # a topic is raised on the site (登记 or the public form), with its event

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        labels = _changed_labels(form)
        for formset in formsets:
            for inline_form in formset.forms:
                if inline_form.has_changed() and inline_form.instance.pk:
                    labels += [
                        f"{formset.model._meta.verbose_name}{label}"
                        for label in _changed_labels(inline_form)
                    ]
        record_admin_edit(topic=form.instance, actor=request.user, labels=labels)

    # 交办 (departments, deadline) and 办结 (public summary) need their forms on the topic page;
    # a bulk action would skip them, so the admin offers only the moves that need nothing more.
    actions = [
        _move_action(s)
        for s in (
            TopicStatus.ACCEPTED,
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
    autocomplete_fields = ["department"]
    readonly_fields = ["topic", *REFERRAL_LIFECYCLE_FIELDS]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_admin_edit(
            topic=obj.topic, actor=request.user, labels=_changed_labels(form), what="交办记录"
        )

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
    autocomplete_fields = ["consultation"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]

    def get_fields(self, request, obj=None):
        if obj is None:  # 添加: the session and the file; the rest is read from the file
            return ["consultation", "file"]
        return ["consultation", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A stored file is replaced by deleting it and adding another, never swapped in place.
        return [] if obj is None else ["consultation", *self.readonly_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form = type("AttachmentAddForm", (form,), {"clean_file": _clean_attachment_file})
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            upload = form.cleaned_data["file"]
            attachment_store(
                attachment=obj, upload=upload, mime=form.sniffed_mime, actor=request.user
            )
        super().save_model(request, obj, form, change)


def _clean_attachment_file(form):
    """The admin checks an added file exactly as the session form does (content and name)."""
    upload = form.cleaned_data.get("file")
    if upload:
        form.sniffed_mime = sniff_attachment(upload)
    return upload


@admin.register(UnitAccount)
class UnitAccountAdmin(admin.ModelAdmin):
    """承办单位账号: an administrator ties a login (group 承办单位) to its unit."""

    list_display = ["user", "department", "display_name"]
    search_fields = ["user__username", "department__name", "display_name"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["department"]
    raw_id_fields = ["user"]


@admin.register(ReferralExtension)
class ReferralExtensionAdmin(admin.ModelAdmin):
    """延期申请: read here; decided on the topic page (``services.referrals.extension_decide``)."""

    list_display = ["referral", "old_deadline", "new_deadline", "decision", "requested_at"]
    list_filter = ["decision"]
    search_fields = ["referral__topic__title", "referral__department__name", "reason"]
    list_select_related = ["referral__topic", "referral__department"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReferralAttachment)
class ReferralAttachmentAdmin(admin.ModelAdmin):
    """答复附件: uploaded with a unit's reply; listed here, never changed."""

    list_display = ["original_name", "referral", "size", "uploaded_at"]
    search_fields = ["original_name", "referral__topic__title", "referral__department__name"]
    list_select_related = ["referral__topic", "referral__department"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TopicPair)
class TopicPairAdmin(ScopedAdmin):
    """Pairs the similar-topic check offered (issue 16); written by the pages, read here."""

    list_display = ["low", "high", "verdict", "score", "decided_by", "decided_at"]
    list_filter = ["verdict"]
    search_fields = ["low__title", "high__title"]
    list_select_related = ["low", "high", "decided_by"]

    def get_queryset(self, request):
        visible = Topic.objects.visible_to(request.user)
        return super().get_queryset(request).filter(low__in=visible, high__in=visible)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(TopicPhoto)
class TopicPhotoAdmin(ScopedAdmin):
    """Residents' photos (issue 16): approved on the topic page, read here."""

    list_display = ["topic", "approved", "approved_by", "created_at"]
    list_filter = ["approved"]
    search_fields = ["topic__title", "topic__tracking_code"]
    list_select_related = ["topic", "approved_by"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(topic__in=Topic.objects.visible_to(request.user))
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class _TopicRecordAdmin(ScopedAdmin):
    """Records written on the topic page through their services (a 回访 also sets the topic's
    rating; a 跟踪问效 belongs to the topic's timeline): read here, never written here."""

    search_fields = ["topic__title", "topic__tracking_code"]
    list_select_related = ["topic", "recorded_by"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(topic__in=Topic.objects.visible_to(request.user))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TopicVisit)
class TopicVisitAdmin(_TopicRecordAdmin):
    list_display = ["topic", "visited_on", "method", "rating", "visitor"]
    list_filter = ["method", "rating"]


@admin.register(TopicFollowUp)
class TopicFollowUpAdmin(_TopicRecordAdmin):
    list_display = ["topic", "checked_on", "progress"]
