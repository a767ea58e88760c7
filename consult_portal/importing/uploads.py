"""Keeping an uploaded sheet between its preview and the confirmation.

The file goes to ``imports/<token><ext>`` in the default storage (``MEDIA_ROOT`` on disk, or the
shared S3-compatible store in production, so the preview and the confirmation may be answered by
different app instances) under a random token; what it is (kind, area, original name, owner) is
kept in the uploader's session under the same token. A token works only
in the session of the user who uploaded it, so nobody can confirm someone else's import, and the
file name on disk is never taken from the user. Files left behind (a preview never confirmed) are
removed after a day, at the next upload.
"""

from __future__ import annotations

import contextlib
import datetime
import secrets
import time
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone

SESSION_KEY = "imports"
MAX_AGE_SECONDS = 24 * 60 * 60
MAX_PENDING = 5  # uploads kept per session
DIRECTORY = "imports"


@dataclass(frozen=True)
class PendingUpload:
    token: str
    kind: str
    area_id: int
    filename: str
    name: str  # the file's name in the default storage
    column_choices: dict[str, str]  # the preview's choices for the sheet's unknown columns
    file: str = ""  # the name under imports/ (storage_name), for a queued preview or import
    preview_job: str = ""  # the queued preview of the sheet with these choices (a Job id)

    def read(self) -> bytes:
        with default_storage.open(self.name, "rb") as handle:
            return handle.read()


def storage_name(file: str) -> str:
    return f"{DIRECTORY}/{file}"


def _sweep() -> None:
    cutoff = timezone.now() - datetime.timedelta(seconds=MAX_AGE_SECONDS)
    try:
        _, files = default_storage.listdir(DIRECTORY)
    except FileNotFoundError:  # nothing uploaded yet (a file system without the directory)
        return
    for file in files:
        name = storage_name(file)
        with contextlib.suppress(OSError, FileNotFoundError):
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)


def save_upload(request, *, kind: str, area_id: int, uploaded) -> str:
    _sweep()
    token = secrets.token_urlsafe(24)
    suffix = next((s for s in (".xlsx", ".xls") if uploaded.name.lower().endswith(s)), ".csv")
    # The token is random, so the storage keeps the name as given.
    default_storage.save(storage_name(f"{token}{suffix}"), uploaded)
    pending = dict(request.session.get(SESSION_KEY, {}))
    # Keep the newest few; drop the files of the ones forgotten.
    ordered = sorted(pending, key=lambda t: pending[t]["created"])
    for stale in ordered[: max(0, len(ordered) - (MAX_PENDING - 1))]:
        _remove(pending.pop(stale))
    pending[token] = {
        "kind": kind,
        "area_id": area_id,
        "filename": uploaded.name[:200],
        "file": f"{token}{suffix}",
        "user_id": request.user.pk,
        "created": time.time(),
    }
    request.session[SESSION_KEY] = pending
    return token


def load_upload(request, token: str) -> PendingUpload:
    """The upload ``token`` names in this user's session, or 404."""
    meta = request.session.get(SESSION_KEY, {}).get(token)
    if not meta or meta.get("user_id") != request.user.pk:
        raise Http404("导入文件不存在或已过期,请重新上传。")
    name = storage_name(meta["file"])
    if not default_storage.exists(name):
        raise Http404("导入文件不存在或已过期,请重新上传。")
    return PendingUpload(
        token=token,
        kind=meta["kind"],
        area_id=meta["area_id"],
        filename=meta["filename"],
        name=name,
        column_choices=dict(meta.get("column_choices", {})),
        file=meta["file"],
        preview_job=meta.get("preview_job", ""),
    )


def save_column_choices(request, token: str, choices: dict[str, str]) -> None:
    """Keep the preview's choices for the unknown columns of upload ``token`` (already loaded,
    so it is this user's), for the next preview and for the confirmation."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    # New choices: the sheet is checked again by a new preview.
    pending[token] = {**pending[token], "column_choices": choices, "preview_job": ""}
    request.session[SESSION_KEY] = pending


def save_preview_job(request, token: str, job_id: str) -> None:
    """Remember the queued preview of upload ``token`` (already loaded, so it is this user's)."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {**pending[token], "preview_job": job_id}
    request.session[SESSION_KEY] = pending


def _remove(meta: dict) -> None:
    with contextlib.suppress(OSError, KeyError):
        default_storage.delete(storage_name(meta["file"]))


def discard_upload(request, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    meta = pending.pop(token, None)
    if meta:
        _remove(meta)
    request.session[SESSION_KEY] = pending
