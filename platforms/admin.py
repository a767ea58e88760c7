from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from treebeard.forms import movenodeform_factory

from consult_portal.admin import ScopedAdmin, ScopedInline

from .models import Area, PlatformBrand, Profile, Venue, VenueStandardRecord


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    """A flat list in tree order (by path), indented by depth, scoped like every other list.

    treebeard's TreeAdmin browses from the roots down, which a district's staff, who cannot see
    the city above them, could not use; its MoveNodeForm still places new and moved nodes.
    """

    form = movenodeform_factory(Area)
    list_display = ["indented_name", "level", "code"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    ordering = ["path"]

    @admin.display(description="名称", ordering="path")
    def indented_name(self, area: Area) -> str:
        return "　" * (area.depth - 1) + area.name


@admin.register(PlatformBrand)
class PlatformBrandAdmin(ScopedAdmin):
    list_display = ["name", "area", "slogan"]
    search_fields = ["name", "slogan"]


class VenueStandardRecordInline(ScopedInline):
    model = VenueStandardRecord
    fields = ["item", "met_on", "note", "photo"]


@admin.register(Venue)
class VenueAdmin(ScopedAdmin):
    list_display = ["name", "code", "kind", "brand", "area", "is_active"]
    list_filter = ["kind", "is_active", "brand", "area__level"]
    search_fields = ["name", "code", "address"]
    list_select_related = ["brand", "area"]
    autocomplete_fields = ["area"]
    inlines = [VenueStandardRecordInline]


@admin.register(VenueStandardRecord)
class VenueStandardRecordAdmin(ScopedAdmin):
    list_display = ["venue", "item", "met_on"]
    list_filter = ["item"]
    search_fields = ["venue__name"]
    list_select_related = ["venue"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(venue__in=Venue.objects.visible_to(request.user))
        )


@admin.register(Profile)
class ProfileAdmin(ScopedAdmin):
    list_display = ["user", "display_name", "area", "title"]
    search_fields = ["user__username", "display_name"]
    list_select_related = ["user", "area"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(area__in=Area.objects.visible_to(request.user))


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["display_name", "title", "area"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
