"""Tasks of the base app: a large export rendered by a worker (``jobs.export_as_job``)."""

from __future__ import annotations

import re
import tempfile
from urllib.parse import unquote, urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.urls import resolve

from .jobs import JobTask, job_finish

_FILENAME_STAR = re.compile(r"filename\*=utf-8''([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(r'filename="([^"]+)"')


class ExportFailed(Exception):
    pass


def attachment_filename(response) -> str:
    disposition = response.get("Content-Disposition", "")
    match = _FILENAME_STAR.search(disposition)
    if match:
        return unquote(match.group(1))
    match = _FILENAME.search(disposition)
    return match.group(1) if match else "export.bin"


@shared_task(bind=True, base=JobTask, name="consult_portal.export_url", label="导出")
def export_url(self, *, path: str, query: str, user_id: int) -> str:
    """Render the export at ``path?query`` as the user who asked, through the same view (its role
    check, its scope, its filters as they are now), and keep the file in the default storage
    under ``jobs/<job id>/``. Running it again writes the file again: nothing else changes."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ExportFailed("发起导出的账号已停用。")
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"
    request = RequestFactory(SERVER_NAME=host).get(path + (f"?{query}" if query else ""))
    request.user = user
    request.export_inline = True  # the view exports here instead of queueing again
    match = resolve(path)
    response = match.func(request, *match.args, **match.kwargs)
    try:
        if response.status_code != 200 or not response.has_header("Content-Disposition"):
            raise ExportFailed(f"导出失败:页面返回 {response.status_code}。")
        chunks = response.streaming_content if response.streaming else [response.content]
        with tempfile.TemporaryFile() as out:
            for chunk in chunks:
                out.write(chunk)
            out.seek(0)
            name = default_storage.save(
                f"jobs/{self.request.id}/{attachment_filename(response)}", File(out)
            )
    finally:
        # Not ``response.close()``: that sends ``request_finished``, which closes the database
        # connection the worker (or an eager caller's transaction) is still using.
        handle = getattr(response, "file_to_stream", None)
        if handle is not None:
            handle.close()
    job_finish(self.request.id, file=name, result={"summary": "文件已生成,可以下载。"})
    return name
