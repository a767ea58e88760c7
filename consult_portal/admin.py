"""Admin pieces shared by the apps: every admin list and every choice is scoped to the user."""

from django.contrib import admin


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
