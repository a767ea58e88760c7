from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = "协商平台与阵地"

    def ready(self) -> None:
        from consult_portal.importing.registry import register

        from .importers import VenueImporter

        register(VenueImporter)
