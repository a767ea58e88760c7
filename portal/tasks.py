"""Import previews and large imports as queued jobs (issue 18, item 3). The sheet waits under
``imports/`` of the default storage (``consult_portal.importing.uploads``: the file system or the
shared S3-compatible store, which every web and worker process of one site reaches); the job
re-checks that the user may still import into the area, reports its progress every few hundred
rows, and leaves what the page shows as JSON in the default storage.
"""

from __future__ import annotations

import json

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.urls import reverse

from consult_portal.importing.registry import importers
from consult_portal.importing.uploads import storage_name
from consult_portal.jobs import JobTask, job_finish, job_progress, save_job_file
from platforms.models import Area

from .import_preview import preview_snapshot


class ImportJobError(Exception):
    pass


def _importer(*, kind: str, area_id: int, user_id: int, column_choices: dict, job_id):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    area = Area.objects.visible_to(user).filter(pk=area_id).first() if user else None
    if area is None:
        raise ImportJobError("发起导入的账号已停用,或已无权导入到该区划。")
    importer = importers()[kind](area=area, actor=user, column_choices=column_choices)
    importer.progress = lambda done, total: job_progress(job_id, done=done, total=total)
    return importer


def _sheet(file: str) -> bytes:
    if "/" in file or not default_storage.exists(storage_name(file)):
        raise ImportJobError("导入文件不存在或已过期,请重新上传。")
    with default_storage.open(storage_name(file), "rb") as handle:
        return handle.read()


def _keep(job_id, snapshot: dict, **result) -> dict:
    name = save_job_file(job_id, "preview.json", json.dumps(snapshot, default=str).encode())
    result = {"preview": name, **result}
    job_finish(job_id, result=result)
    return result


@shared_task(bind=True, base=JobTask, name="portal.import_preview", label="导入预览")
def import_preview(
    self, *, kind: str, area_id: int, user_id: int, file: str, filename: str, column_choices: dict
) -> dict:
    """Check every row of the sheet and write nothing. Idempotent: it only reads."""
    importer = _importer(
        kind=kind,
        area_id=area_id,
        user_id=user_id,
        column_choices=column_choices,
        job_id=self.request.id,
    )
    result = importer.read(_sheet(file), filename)
    return _keep(self.request.id, preview_snapshot(importer, result))


@shared_task(bind=True, base=JobTask, name="portal.import_run", label="导入")
def import_run(
    self,
    *,
    kind: str,
    area_id: int,
    user_id: int,
    file: str,
    filename: str,
    column_choices: dict,
) -> dict:
    """Check every row again and write them all in one transaction, or nothing. Run twice (a
    retry, a redelivered message), the natural keys make the second run change nothing."""
    importer = _importer(
        kind=kind,
        area_id=area_id,
        user_id=user_id,
        column_choices=column_choices,
        job_id=self.request.id,
    )
    result = importer.run(_sheet(file), filename)
    summary = {
        "kind": importer.kind,
        "label": importer.label,
        "area": importer.area.name,
        "filename": filename,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "committed": result.committed,
        "summary": f"导入完成:{result.summary}。" if result.committed else "",
    }
    if result.committed:
        default_storage.delete(storage_name(file))
    done_url = reverse("imports:done") + f"?job={self.request.id}"
    snapshot = preview_snapshot(importer, result)
    return _keep(self.request.id, snapshot, url=done_url, redirect=True, **summary)
