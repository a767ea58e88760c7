"""Queued jobs in the pages (consult_portal.jobs): a job's own page (progress while it runs,
the file or the result when done), its status for the progress bar, its file, and the list of
failed jobs with a retry button.

Who sees which job is ``Job.objects.visible_to``: administrators every job (mails and the
nightly tasks have no owner), anybody else the jobs they asked for; another's job is a 404.
"""

from __future__ import annotations

import posixpath

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView

from consult_portal.jobs import job_retry
from consult_portal.models import Job, JobStatus
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin

JOB_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER)


class JobMixin(RoleRequiredMixin):
    allowed_roles = JOB_ROLES

    def get_queryset(self):
        return Job.objects.visible_to(self.request.user).select_related("owner")


def job_state(job: Job) -> dict:
    """What the progress bar reads (static/js/job-progress.js)."""
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "url": job.result.get("url", "") if job.status == JobStatus.DONE else "",
    }


class JobDetailView(JobMixin, DetailView):
    template_name = "jobs/job_detail.html"
    context_object_name = "job"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        done_url = self.object.result.get("url") if self.object.status == JobStatus.DONE else ""
        # A job whose result is a page of its own (an import preview) goes there when done.
        if done_url and self.object.result.get("redirect"):
            return redirect(done_url)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        context["state"] = job_state(job)
        context["filename"] = posixpath.basename(job.file) if job.file else ""
        return context


class JobStatusView(JobMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        return JsonResponse(job_state(job))


class JobFileView(JobMixin, View):
    """The generated file, for the user who asked for it."""

    def get(self, request, pk):
        # Only the user who asked: an export carries what their scope shows (phones included),
        # so not even an administrator downloads another's file.
        mine = Job.objects.filter(owner=request.user, status=JobStatus.DONE)
        job = get_object_or_404(mine, pk=pk)
        if not job.file:
            raise Http404("该任务没有生成文件。")
        try:
            handle = default_storage.open(job.file, "rb")
        except FileNotFoundError as error:
            raise Http404("文件已过期,请重新导出。") from error
        return FileResponse(handle, as_attachment=True, filename=posixpath.basename(job.file))


class FailedJobListView(JobMixin, ListView):
    template_name = "jobs/failed_list.html"
    context_object_name = "jobs"
    paginate_by = 25
    allowed_roles = (Role.ADMIN, Role.OFFICE)

    def get_queryset(self):
        return (
            super().get_queryset().filter(status=JobStatus.FAILED).order_by("-finished_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scope_everything"] = self.scope.everything
        return context


class JobRetryView(JobMixin, View):
    allowed_roles = (Role.ADMIN, Role.OFFICE)

    def post(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        if job_retry(job):
            messages.success(request, f"已重新提交任务“{job.label or job.task}”。")
            return redirect(reverse("jobs:detail", args=[job.pk]))
        messages.info(request, "该任务已不在失败状态,无需重试。")
        return redirect("jobs:failed")
