from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "社情民意与协商成果"

    def ready(self) -> None:
        from members.points import register_point_source

        from .points import adoption_point_records

        register_point_source(adoption_point_records)
