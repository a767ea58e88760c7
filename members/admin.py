from django.contrib import admin

from consult_portal.admin import ScopedAdmin, ScopedInline

from .models import (
    Assignment,
    Duty,
    DutyShift,
    Member,
    MemberLeave,
    PointBand,
    PointRule,
    RotaMonth,
    Sector,
)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name"]


class AssignmentInline(ScopedInline):
    model = Assignment
    fields = ["venue", "area", "role", "started_on", "ended_on"]
    autocomplete_fields = ["venue"]


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    list_display = [
        "name",
        "gender",
        "sector",
        "political_status",
        "committee_level",
        "area",
        "is_active",
    ]
    list_filter = ["committee_level", "political_status", "sector", "is_active", "gender"]
    search_fields = ["name", "work_unit", "phone"]
    list_select_related = ["sector", "area"]
    autocomplete_fields = ["area", "user"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ["member", "venue", "area", "role", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["member__name", "venue__name"]
    list_select_related = ["member", "venue", "area"]
    autocomplete_fields = ["member", "venue", "area"]


@admin.register(DutyShift)
class DutyShiftAdmin(ScopedAdmin):
    list_display = ["date", "slot", "member", "venue", "status"]
    list_filter = ["status", "slot"]
    search_fields = ["member__name", "venue__name"]
    date_hierarchy = "date"
    list_select_related = ["member", "venue"]
    autocomplete_fields = ["member", "venue"]


@admin.register(RotaMonth)
class RotaMonthAdmin(ScopedAdmin):
    """The publication log of rota months (who published which venue's month, when)."""

    list_display = ["month", "venue", "published_at", "published_by"]
    search_fields = ["venue__name"]
    date_hierarchy = "month"
    list_select_related = ["venue", "published_by"]
    autocomplete_fields = ["venue"]


@admin.register(Duty)
class DutyAdmin(ScopedAdmin):
    list_display = ["date", "member", "kind", "title", "status", "outcome"]
    list_filter = ["kind", "status", "outcome"]
    search_fields = ["title", "member__name"]
    date_hierarchy = "date"
    list_select_related = ["member"]
    autocomplete_fields = ["member", "venue", "topic"]


# Duties and points (issue 5, item 3). Staff edit the rules on the rules page
# (members:point_rules); the admin is for administrators.
@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ["year", "kind", "points", "cap"]
    list_filter = ["year", "kind"]
    search_fields = ["kind"]


# Bands (等次) per year, edited with the rules on the same page; the admin does not check that a
# band starts at 0 (a member below every band gets the lowest one).
@admin.register(PointBand)
class PointBandAdmin(admin.ModelAdmin):
    list_display = ["year", "label", "lowest"]
    list_filter = ["year"]
    search_fields = ["label"]


# Calendar subscriptions (issue 5, item 4): administrators may see and revoke, never read tokens.
from .models import CalendarFeed  # noqa: E402


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["user__username"]
    fields = ["user", "kind", "created_at", "revoked_at"]
    readonly_fields = ["user", "kind", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(MemberLeave)
class MemberLeaveAdmin(ScopedAdmin):
    list_display = ["member", "starts_on", "ends_on", "reason", "created_by", "created_at"]
    date_hierarchy = "starts_on"
    search_fields = ["member__name"]
    autocomplete_fields = ["member"]
    readonly_fields = ["created_by", "created_at"]
