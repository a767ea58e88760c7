from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = "协商平台与阵地"

    def ready(self) -> None:
        from consult_portal.importing.registry import register
        from consult_portal.roles import Role, register_scope_provider

        from .importers import VenueImporter
        from .scopes import area_scope

        register(VenueImporter)
        register_scope_provider(Role.OFFICE, Role.LEADER, provider=area_scope)
