from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "委员与履职"

    def ready(self) -> None:
        from consult_portal.importing.registry import register

        from .importers import MemberImporter

        register(MemberImporter)
