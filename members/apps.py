from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "委员与履职"

    def ready(self) -> None:
        from consult_portal.importing.registry import register
        from consult_portal.roles import Role, register_scope_provider

        from .importers import MemberImporter
        from .scopes import member_scope

        register(MemberImporter)
        register_scope_provider(Role.MEMBER, provider=member_scope)
