from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "topics"
    verbose_name = "议题与协商"

    def ready(self) -> None:
        from consult_portal.importing.registry import register

        from .importers import TopicImporter

        register(TopicImporter)
