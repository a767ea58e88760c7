"""Large exports and the report workbook as queued jobs (issue 18, item 3): over
EXPORT_JOB_THRESHOLD_ROWS the export page sends the user to the job's page, a worker renders the
same URL as the same user, and the file waits in the default storage for that user only."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from consult_portal.models import Job, JobStatus

from .conftest import client_for
from .factories import TopicFactory
from .test_exports import body, read_csv


def queued_export(client, capture, url, params):
    with capture(execute=True):
        response = client.get(url, params)
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_a_large_export_is_a_job_whose_file_only_its_owner_downloads(
    world, office_staff, other_staff, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_JOB_THRESHOLD_ROWS = 10_000
    for title in ("甲路灯", "乙护栏", "丙停车"):
        TopicFactory(title=title, area=world.community_a)
    client = client_for(office_staff)
    inline = read_csv(client.get(reverse("topics:list"), {"export": "csv", "sort": "title"}))

    settings.EXPORT_JOB_THRESHOLD_ROWS = 3
    job = queued_export(
        client,
        django_capture_on_commit_callbacks,
        reverse("topics:list"),
        {"export": "csv", "sort": "title"},
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.owner == office_staff
    assert job.file.startswith(f"jobs/{job.pk}/议题_") and job.file.endswith(".csv")
    assert "导出议题" in job.label and "csv" in job.label
    assert default_storage.exists(job.file)

    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/file/" in page and "下载" in page
    download = client.get(f"/jobs/{job.pk}/file/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    # The same rows as the inline export of the same filters, in the same order.
    assert read_csv(download) == inline
    # Nobody else gets the file or the page: not another office, not an administrator.
    assert client_for(other_staff).get(f"/jobs/{job.pk}/file/").status_code == 404
    assert client_for(other_staff).get(f"/jobs/{job.pk}/").status_code == 404
    assert client_for(admin_user).get(f"/jobs/{job.pk}/file/").status_code == 404


def test_a_small_export_stays_inline(world, office_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_staff).get(reverse("topics:list"), {"export": "xlsx"})
    assert response.status_code == 200 and not Job.objects.exists()


def test_the_queued_export_applies_the_users_scope_when_it_runs(
    world, other_staff, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_JOB_THRESHOLD_ROWS = 0
    TopicFactory(title="甲区的议题", area=world.community_a)
    TopicFactory(title="乙区的议题", area=world.community_b)
    job = queued_export(
        client_for(other_staff),
        django_capture_on_commit_callbacks,
        reverse("topics:list"),
        {"export": "xlsx"},
    )
    data = body(client_for(other_staff).get(f"/jobs/{job.pk}/file/"))
    titles = [row[1] for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    assert "乙区的议题" in titles and "甲区的议题" not in titles


def test_a_queued_export_shows_its_progress_until_done(world, office_staff, settings):
    """Without the commit (the worker has not run yet) the page shows the bar, polled by a
    static script, and the status answers as JSON."""
    settings.EXPORT_JOB_THRESHOLD_ROWS = 0
    client = client_for(office_staff)
    response = client.get(reverse("topics:list"), {"export": "csv"})
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert 'role="progressbar"' in page and f"/jobs/{job.pk}/status/" in page
    assert "js/job-progress.js" in page and "<script>" not in page
    state = client.get(f"/jobs/{job.pk}/status/").json()
    assert state == {
        "status": "queued",
        "status_label": "排队中",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
        "url": "",
    }
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 404  # not ready


def test_the_report_workbook_is_a_job_when_the_queue_has_a_worker(
    world, leader, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_WORKBOOK_AS_JOB = True
    url = reverse("dashboards:report_xlsx", args=[f"a{world.district_a.pk}"])
    client = client_for(leader)
    job = queued_export(client, django_capture_on_commit_callbacks, url, {"period": "year"})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    workbook = load_workbook(io.BytesIO(body(client.get(f"/jobs/{job.pk}/file/"))))
    assert workbook.sheetnames == ["概要", "下级区划", "议题类别", "典型案例"]
    assert job.file.endswith("工作报告.xlsx")


@pytest.mark.parametrize("fixture", ["other_staff"])
def test_an_area_out_of_reach_is_a_404_before_anything_is_queued(request, world, fixture, settings):
    settings.REPORT_WORKBOOK_AS_JOB = True
    user = request.getfixturevalue(fixture)
    url = reverse("dashboards:report_xlsx", args=[f"a{world.district_a.pk}"])
    assert client_for(user).get(url).status_code == 404
    assert not Job.objects.exists()
