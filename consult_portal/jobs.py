"""Queued jobs: how the portal hands work to the task queue and keeps track of it.

- ``enqueue(task, kwargs=..., owner=..., label=...)`` queues a task **after the commit** of the
  transaction that asked for it (a rolled-back write queues nothing). With ``track=True`` (a
  job a user waits for: an export, an import preview) a ``Job`` row is written first and the task
  runs under the row's id; the page polls it for progress and the result.
- Every task uses ``JobTask`` as its base: it marks a tracked row running / done, and writes (or
  updates) the row of any task that **fails for good** — retries used up, or a task not retried —
  with its error and its arguments, so the failed-jobs page (``portal:jobs``) lists it and its
  retry button queues the same task again under the same id (``job_retry``).
- Tasks take keyword arguments that JSON can carry (ids, strings), never model instances, and
  re-read what they need: they may run again (a retry, a worker killed mid-task and the message
  redelivered, ``task_acks_late``), so each is written to be idempotent.

If the broker cannot be reached when a job is queued, the job is recorded as failed at once
(``任务队列不可用``) instead of being lost; the retry button queues it again later.
"""

from __future__ import annotations

import logging
import traceback
import uuid

from celery import Task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Job, JobStatus

logger = logging.getLogger(__name__)

# Backoff of a retried task: 30 s, 60 s, 120 s … at most 30 minutes (the jitter of a real
# worker spreads retries of many mails after a mail server comes back).
BACKOFF_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60


def backoff(retries: int) -> int:
    return min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 2**retries)


def _error_text(exc: BaseException, einfo=None) -> str:
    text = f"{type(exc).__name__}: {exc}"
    trace = str(einfo) if einfo is not None else "".join(traceback.format_exception(exc))
    return (text + "\n\n" + trace)[:4000]


class JobTask(Task):
    """Base of every task of the portal (``@shared_task(base=JobTask)``)."""

    # Acknowledge a message only when the task has finished, so a worker killed mid-task leaves
    # it to another worker (the tasks are idempotent); at most one task prefetched per process.
    acks_late = True
    reject_on_worker_lost = True
    label = ""  # the Chinese name shown on the failed-jobs page

    def before_start(self, task_id, args, kwargs):
        Job.objects.filter(pk=_uuid(task_id)).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
        )

    def on_success(self, retval, task_id, args, kwargs):
        Job.objects.filter(pk=_uuid(task_id)).update(
            status=JobStatus.DONE, finished_at=timezone.now(), error=""
        )

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("Task %s (%s) failed: %s", self.name, task_id, exc)
        record_failure(
            task_id=task_id,
            task=self.name,
            label=self.label,
            kwargs=kwargs,
            error=_error_text(exc, einfo),
        )


def _uuid(task_id) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(task_id))
    except ValueError:
        return None


def record_failure(*, task_id, task: str, label: str, kwargs: dict, error: str) -> Job:
    pk = _uuid(task_id) or uuid.uuid4()
    job, created = Job.objects.get_or_create(
        pk=pk,
        defaults={
            "task": task,
            "label": label,
            "kwargs": kwargs,
            "status": JobStatus.FAILED,
            "error": error,
            "attempts": 1,
            "finished_at": timezone.now(),
        },
    )
    if not created:
        Job.objects.filter(pk=pk).update(
            status=JobStatus.FAILED, error=error, finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def dispatch(task, kwargs: dict, task_id: str | None = None) -> None:
    """Hand the task to the broker now (in eager mode: run it now). Use ``enqueue`` from code
    that may be inside a transaction."""
    try:
        task.apply_async(kwargs=kwargs, task_id=task_id)
    except Exception as error:  # the broker is away: keep the job, failed, for a retry
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            raise
        logger.exception("Could not queue %s", task.name)
        record_failure(
            task_id=task_id,
            task=task.name,
            label=getattr(task, "label", ""),
            kwargs=kwargs,
            error=f"任务队列不可用:{error}"[:4000],
        )


def enqueue(
    task,
    *,
    kwargs: dict | None = None,
    owner=None,
    label: str = "",
    track: bool = False,
    at_once: bool = False,
) -> Job | None:
    """Queue ``task`` with ``kwargs`` once the current transaction commits (at once outside
    one). ``track``: write a ``Job`` row first and return it. ``at_once``: queue it now, for a
    request that wrote nothing else (an import preview): its row is committed already outside
    a transaction, and in eager mode the task runs here, on the same connection."""
    kwargs = dict(kwargs or {})
    job = None
    if track:
        job = Job.objects.create(
            task=task.name,
            label=label or getattr(task, "label", ""),
            owner=owner if getattr(owner, "is_authenticated", False) else None,
            kwargs=kwargs,
        )
    task_id = str(job.pk) if job else None
    if at_once:
        dispatch(task, kwargs, task_id)
    else:
        transaction.on_commit(lambda: dispatch(task, kwargs, task_id))
    return job


def job_retry(job: Job) -> bool:
    """Queue a failed job again under its own id; False if it is no longer failed (somebody
    retried it already)."""
    from celery import current_app

    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED, error="", done=0, finished_at=None
    )
    if not claimed:
        return False
    task = current_app.tasks[job.task]
    kwargs, task_id = dict(job.kwargs), str(job.pk)
    transaction.on_commit(lambda: dispatch(task, kwargs, task_id))
    return True


def job_progress(job_id, *, done: int, total: int | None = None) -> None:
    """Record how far a tracked job has come (read by the page's progress bar)."""
    fields = {"done": done}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def job_finish(job_id, *, result: dict | None = None, file: str = "") -> None:
    fields = {}
    if result is not None:
        fields["result"] = result
    if file:
        fields["file"] = file
    if fields:
        Job.objects.filter(pk=job_id).update(**fields)


def save_job_file(job_id, filename: str, content: bytes) -> str:
    """Store a generated file through the default storage (file system, or an S3-compatible
    store when the settings say so) under ``jobs/<job id>/``; returns its storage name."""
    return default_storage.save(f"jobs/{job_id}/{filename}", ContentFile(content))


# -- exports as jobs ---------------------------------------------------------------------------
def export_as_job(request, *, label: str):
    """Queue this export (the same URL, rendered by a worker as the same user) and send the user
    to the job's page, which offers the file when it is ready. None when the request *is* that
    worker's rendering (``request.export_inline``): export inline. The callers decide when an
    export is large enough (``EXPORT_JOB_THRESHOLD_ROWS``, ``REPORT_WORKBOOK_AS_JOB``)."""
    from django.shortcuts import redirect

    if getattr(request, "export_inline", False):
        return None
    from .tasks import export_url

    job = enqueue(
        export_url,
        kwargs={"path": request.path, "query": request.GET.urlencode(), "user_id": request.user.pk},
        owner=request.user,
        label=label,
        track=True,
    )
    return redirect("jobs:detail", pk=job.pk)
