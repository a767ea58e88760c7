"""Import pages for office staff: choose a kind, upload, preview every row, confirm.

Only administrators and office staff import (leaders and members get 403). The area a sheet goes
into is one of the staff member's own areas; the upload waits between preview and confirmation
in ``consult_portal.importing.uploads``. The importers are the ones the apps registered
(``consult_portal.importing.registry``).
"""

from __future__ import annotations

import io
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from consult_portal.exports import append_row
from consult_portal.importing.base import IGNORE, Importer
from consult_portal.importing.registry import importers
from consult_portal.importing.uploads import (
    discard_upload,
    load_upload,
    save_column_choices,
    save_preview_job,
    save_upload,
)
from consult_portal.jobs import enqueue
from consult_portal.models import Job, JobStatus
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from platforms.models import Area

from .import_forms import ImportUploadForm
from .import_preview import preview_snapshot
from .job_views import job_state
from .tasks import import_preview, import_run

IMPORT_ROLES = (Role.ADMIN, Role.OFFICE)
DONE_KEY = "imports_done"


def importer_class(kind: str) -> type[Importer]:
    try:
        return importers()[kind]
    except KeyError:
        raise Http404("没有这种导入类型。") from None


class ImportMixin(RoleRequiredMixin):
    allowed_roles = IMPORT_ROLES


class ImportIndexView(ImportMixin, TemplateView):
    template_name = "imports/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = list(importers().values())
        return context


class ImportTemplateView(ImportMixin, View):
    """An .xlsx with the headers (required ones marked *) and a sheet explaining each column."""

    def get(self, request, kind):
        import openpyxl
        from openpyxl.styles import Font

        cls = importer_class(kind)
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = f"{cls.label}导入"
        append_row(sheet, cls.template_headers())
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = max(12, len(cell.value) * 3)
        notes = workbook.create_sheet("填写说明")
        append_row(notes, ["列名", "必填", "说明", "也可识别的列名"])
        for column in cls.columns:
            append_row(
                notes,
                [
                    column.label,
                    "是" if column.required else "",
                    column.help,
                    "、".join(column.aliases),
                ],
            )
        append_row(notes, [])
        append_row(notes, ["表格上方可以有标题行,下方可以有备注和签名;带 * 的列必须填写。"])
        append_row(
            notes,
            [
                "“序号”列自动忽略;其他有数据却无法识别的列,须在预览中选择导入到哪个字段或忽略"
                "(命令行用 --map-column 列名=字段 或 --ignore-column 列名),否则不导入。"
            ],
        )
        append_row(notes, [cls.on_existing_note])
        for letter, width in zip("ABCD", (14, 6, 60, 40), strict=True):
            notes.column_dimensions[letter].width = width
        buffer = io.BytesIO()
        workbook.save(buffer)
        buffer.seek(0)
        return FileResponse(buffer, as_attachment=True, filename=f"{cls.label}导入模板.xlsx")


class ImportUploadView(ImportMixin, FormView):
    form_class = ImportUploadForm
    template_name = "imports/upload.html"

    @property
    def importer(self) -> type[Importer]:
        return importer_class(self.kwargs["kind"])

    def get(self, request, *args, **kwargs):
        self.importer  # noqa: B018 - an unknown kind is a 404 before the form is shown
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, initial_area_id=self.scope.area_id)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["importer"] = self.importer
        return context

    def form_valid(self, form):
        token = save_upload(
            self.request,
            kind=self.importer.kind,
            area_id=form.cleaned_data["area"].pk,
            uploaded=form.cleaned_data["file"],
        )
        return redirect("imports:preview", token=token)


class UploadMixin(ImportMixin):
    """Loads the pending upload named by the URL token (404 if it is not this user's) and the
    area it goes into (404 if no longer in the user's scope)."""

    def load(self, token):
        self.upload = load_upload(self.request, token)
        area = get_object_or_404(Area.objects.visible_to(self.request.user), pk=self.upload.area_id)
        self.importer = importer_class(self.upload.kind)(
            area=area, actor=self.request.user, column_choices=self.upload.column_choices
        )
        return self.upload

    def job_kwargs(self) -> dict:
        return {
            "kind": self.upload.kind,
            "area_id": self.upload.area_id,
            "user_id": self.request.user.pk,
            "file": self.upload.file,
            "filename": self.upload.filename,
            "column_choices": self.upload.column_choices,
        }

    def preview_job(self) -> Job | None:
        if not self.upload.preview_job:
            return None
        return Job.objects.filter(owner=self.request.user, pk=self.upload.preview_job).first()

    def render_preview(self, snapshot: dict, status=200):
        return render(
            self.request,
            "imports/preview.html",
            {
                "importer": self.importer,
                "upload": self.upload,
                "area": self.importer.area,
                "result": snapshot["result"],
                "columns": snapshot["columns"],
                "rows": snapshot["rows"],
                "ignore": IGNORE,
            },
            status=status,
        )


def read_snapshot(job: Job) -> dict | None:
    name = job.result.get("preview") if job.status == JobStatus.DONE else None
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


class ImportPreviewView(UploadMixin, View):
    """Every preview is a queued job (a sheet of 50,000 rows, or a crafted one, never holds a
    web worker): the page shows its progress until it is done, then the table."""

    def get(self, request, token):
        self.load(token)
        job = self.preview_job()
        if job is None:
            job = enqueue(
                import_preview,
                kwargs=self.job_kwargs(),
                owner=request.user,
                label=f"{self.importer.label}导入预览:{self.upload.filename}",
                track=True,
                at_once=True,
            )
            save_preview_job(request, token, str(job.pk))
            job.refresh_from_db()
        snapshot = read_snapshot(job)
        if snapshot is not None:
            return self.render_preview(snapshot)
        return render(
            request,
            "imports/preview_wait.html",
            {
                "importer": self.importer,
                "upload": self.upload,
                "area": self.importer.area,
                "job": job,
                "state": job_state(job),
            },
        )

    def post(self, request, token):
        """The choices for the sheet's unknown columns (``column_<index>``: a column key,
        IGNORE, or blank for undecided), read against the preview's columns; kept with the
        upload, then a new preview. Without a finished preview (it failed): the same choices,
        checked again."""
        upload = self.load(token)
        job = self.preview_job()
        snapshot = read_snapshot(job) if job else None
        if snapshot is None:
            choices = dict(upload.column_choices)
        else:
            allowed = {IGNORE, *(c.key for c in self.importer.columns)}
            choices = {}
            for column in snapshot["result"]["unknown_columns"]:
                choice = request.POST.get(f"column_{column['index']}", "")
                if choice in allowed:
                    choices[column["name"]] = choice
        save_column_choices(request, token, choices)
        return redirect("imports:preview", token=token)


class ImportConfirmView(UploadMixin, View):
    def post(self, request, token):
        upload = self.load(token)
        job = self.preview_job()
        snapshot = read_snapshot(job) if job else None
        if snapshot is None:  # not checked yet (or the check failed): the preview first
            messages.info(request, "请等待表格检查完成后再确认导入。")
            return redirect("imports:preview", token=token)
        if snapshot["result"]["row_count"] > settings.IMPORT_JOB_THRESHOLD_ROWS:
            rows = snapshot["result"]["row_count"]
            # A large sheet: checked again and written (all or nothing) by a worker; the job's
            # page shows the progress, then the result page.
            queued = enqueue(
                import_run,
                kwargs=self.job_kwargs(),
                owner=request.user,
                label=f"导入{self.importer.label}:{upload.filename}({rows} 行)",
                track=True,
            )
            return redirect("jobs:detail", pk=queued.pk)
        result = self.importer.run(upload.read(), upload.filename)
        if not result.committed:
            # Something changed since the preview (another import, an edit): show why, import
            # nothing, and keep the file for another try.
            messages.error(request, "导入未完成:表格中有错误,没有导入任何数据。")
            return self.render_preview(preview_snapshot(self.importer, result), status=400)
        discard_upload(request, token)
        request.session[DONE_KEY] = {
            "kind": self.importer.kind,
            "label": self.importer.label,
            "area": self.importer.area.name,
            "filename": upload.filename,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        messages.success(request, f"导入完成:{result.summary}。")
        return redirect(reverse("imports:done"))


class ImportDoneView(ImportMixin, TemplateView):
    template_name = "imports/done.html"

    def get(self, request, *args, **kwargs):
        self.job = None
        if "job" in request.GET:  # a large import, written by a queued job
            try:
                pk = uuid.UUID(request.GET["job"])
            except ValueError as error:
                raise Http404 from error
            mine = Job.objects.filter(owner=request.user, task=import_run.name)
            self.job = get_object_or_404(mine, pk=pk)
            if not self.job.finished:
                return redirect("jobs:detail", pk=self.job.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        done = self.request.session.get(DONE_KEY)
        if self.job is not None:
            done = self.job.result if self.job.result.get("committed") else None
            snapshot = read_snapshot(self.job)
            context["job"] = self.job
            context["errors"] = snapshot["result"]["errors"] if snapshot else []
        context["done"] = done
        if done:
            context["list_url"] = {
                "venues": reverse("platforms:venue_list"),
                "members": reverse("members:list"),
                "topics": reverse("topics:list"),
            }.get(done["kind"])
        return context
