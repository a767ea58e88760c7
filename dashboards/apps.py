from django.apps import AppConfig
from django.db.models.signals import post_migrate


def fill_empty_summaries(sender, using="default", verbosity=1, **kwargs):
    """After ``migrate``: build the summary tables when they were computed with other
    definitions than the code's (``summaries.DEFINITION_VERSION``), or are empty beside records
    (the first upgrade to a version with them), so that no dashboard shows stale figures."""
    from . import summaries

    if using != "default":
        return
    rows = summaries.rebuild_if_stale()
    if rows is not None and verbosity:
        print(f"看板汇总表已重建。Dashboard summaries rebuilt: {rows}")


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "领导看板"

    def ready(self) -> None:
        from . import signals

        signals.connect()  # the one mechanism that keeps the summaries in step (see there)
        post_migrate.connect(fill_empty_summaries, sender=self)
