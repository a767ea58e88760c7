from django.apps import AppConfig
from django.db.models.signals import post_migrate


def fill_empty_summaries(sender, using="default", verbosity=1, **kwargs):
    """After ``migrate`` on a database that has records but empty summary tables (the first
    upgrade to a version with them), build them, so that no dashboard shows zeros."""
    from topics.models import Consultation, Topic

    from . import summaries
    from .models import MemberYear, NodeCount, VenueYear

    if all(m.objects.using(using).exists() for m in (NodeCount, VenueYear, MemberYear)):
        return
    if not (Topic.objects.using(using).exists() or Consultation.objects.using(using).exists()):
        return
    rows = summaries.rebuild()
    if verbosity:
        print(f"看板汇总表已生成。Dashboard summaries built: {rows}")


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "领导看板"

    def ready(self) -> None:
        from . import signals

        signals.connect()  # the one mechanism that keeps the summaries in step (see there)
        post_migrate.connect(fill_empty_summaries, sender=self)
