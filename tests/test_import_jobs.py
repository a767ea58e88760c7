"""Import previews and large imports as queued jobs (issue 18, item 3): every preview is a job
with a progress bar; over IMPORT_JOB_THRESHOLD_ROWS the confirmed import is written by a job,
all or nothing, its errors still reported per row."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consult_portal.importing import base as importing_base
from consult_portal.models import Job, JobStatus
from members.models import Member
from portal import tasks as portal_tasks

from .conftest import client_for
from .import_sheets import MEMBER_HEADER, member_rows, xlsx
from .test_imports_web import upload

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def token_of(url):
    return re.search(r"/preview/([^/]+)/", url).group(1)


def test_a_preview_waits_for_its_job_with_a_progress_bar(
    world, office_staff, settings, monkeypatch
):
    """With a worker (eager off) the preview page does not read the sheet: it queues the check
    and shows its progress; confirming before the check is done only returns to the preview."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(
        portal_tasks.import_preview, "apply_async", lambda **kw: sent.append(kw["task_id"])
    )
    client = client_for(office_staff)
    response = upload(client, xlsx([MEMBER_HEADER, *member_rows()]), area=world.district_a.pk)
    page = client.get(response.url)
    job = Job.objects.get()
    assert sent == [str(job.pk)] and job.status == JobStatus.QUEUED
    assert job.task == "portal.import_preview" and job.owner == office_staff
    html = page.content.decode()
    assert 'role="progressbar"' in html and f"/jobs/{job.pk}/status/" in html
    assert "js/job-progress.js" in html and "确认导入" not in html
    client.get(response.url)  # polling the page again queues nothing new
    assert Job.objects.count() == 1 and len(sent) == 1
    confirm = client.post(reverse("imports:confirm", kwargs={"token": token_of(response.url)}))
    assert confirm["Location"] == response.url
    assert not Member.objects.filter(name="刘洋").exists()


def test_the_preview_job_reports_its_progress(world, office_staff, monkeypatch):
    monkeypatch.setattr(importing_base, "PROGRESS_EVERY", 1)
    client = client_for(office_staff)
    rows = [[i, f"委员{i}", "男", "经济界", "民建", "", "", ""] for i in range(1, 6)]
    response = upload(client, xlsx([MEMBER_HEADER, *rows]), area=world.district_a.pk)
    page = client.get(response.url)
    assert "全部 5 行检查通过" in page.content.decode()
    job = Job.objects.get()
    # Two passes over 5 rows (read and match): the last tick was row 10 of 10, then done.
    assert job.status == JobStatus.DONE and job.total == 10 and job.done == 9
    assert job.percent == 100


def test_a_large_import_is_written_by_a_job_and_ends_on_the_result_page(
    world, office_staff, other_staff, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 1
    client = client_for(office_staff)
    response = upload(client, xlsx([MEMBER_HEADER, *member_rows()]), area=world.district_a.pk)
    assert "全部 2 行检查通过" in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(reverse("imports:confirm", kwargs={"token": token_of(response.url)}))
    job = Job.objects.get(task="portal.import_run")
    assert confirm["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.DONE, job.error
    assert Member.objects.get(name="刘洋").area == world.district_a
    # The job's page sends the user on to the result, which only they may open.
    done = client.get(f"/jobs/{job.pk}/")
    assert done.status_code == 302 and done["Location"] == f"/imports/done/?job={job.pk}"
    page = client.get(done["Location"]).content.decode()
    assert '<dd class="col-6" id="created">2</dd>' in page
    assert client_for(other_staff).get(done["Location"]).status_code == 404


def test_a_large_import_with_an_error_writes_nothing_and_names_the_row(
    world, office_staff, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 1
    client = client_for(office_staff)
    rows = [*member_rows(), [3, "王五", "不详", "经济界", "民建", "", "", ""]]
    response = upload(client, xlsx([MEMBER_HEADER, *rows]), area=world.district_a.pk)
    client.get(response.url)
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(reverse("imports:confirm", kwargs={"token": token_of(response.url)}))
    job = Job.objects.get(task="portal.import_run")
    assert job.status == JobStatus.DONE and job.result["committed"] is False
    page = client.get(client.get(confirm["Location"])["Location"]).content.decode()
    assert "导入未完成" in page and "行 4, 列 性别" in page
    assert not Member.objects.filter(name__in=["刘洋", "王五"]).exists()  # all or nothing
