from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "topics"
    verbose_name = "议题与协商"

    def ready(self) -> None:
        from consult_portal.importing.registry import register
        from consult_portal.roles import Role, register_scope_provider
        from members.points import register_point_source

        from .importers import TopicImporter
        from .points import attendance_point_records

        register(TopicImporter)
        register_point_source(attendance_point_records)
        from .scopes import unit_scope

        register_scope_provider(Role.UNIT, provider=unit_scope)
