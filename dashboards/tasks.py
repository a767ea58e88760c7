"""The nightly check of the dashboard summaries (``celery beat`` at 02:30; ``manage.py
dashboard_summaries --repair`` does the same by hand): rebuilt only when they differ from the
records. Idempotent: a second run finds nothing to repair."""

from __future__ import annotations

from celery import shared_task

from consult_portal.jobs import JobTask

from . import summaries


@shared_task(base=JobTask, name="dashboards.repair_summaries", label="看板汇总表检查与修复")
def repair_summaries() -> dict:
    problems = summaries.check()
    if not problems:
        return {"repaired": False}
    rows = summaries.rebuild()
    return {"repaired": True, "problems": problems[:20], "rows": rows}
