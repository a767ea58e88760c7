"""The nightly summary repair as a queued task (dashboards.tasks, celery beat at 02:30)."""

from dashboards import summaries
from dashboards.models import NodeCount
from dashboards.tasks import repair_summaries


def test_the_repair_task_rebuilds_a_summary_that_drifted_and_then_finds_nothing(fw):
    row = NodeCount.objects.filter(raised__gt=0).first()
    row.raised += 1
    row.save()
    assert summaries.check() != []
    result = repair_summaries.apply().get()
    assert result["repaired"] is True and result["problems"]
    assert summaries.check() == []
    assert repair_summaries.apply().get() == {"repaired": False}
