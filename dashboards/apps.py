from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "领导看板"

    def ready(self) -> None:
        from . import signals, summaries

        summaries.connect()
        signals.connect()
