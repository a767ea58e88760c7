"""A queued job's page in a browser: the progress bar (a static script, polling the job's status;
no inline script under the CSP) moves while the worker reports, and the page turns into the
download link when the job is done — at desktop and phone widths."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from consult_portal.models import Job, JobStatus

from .conftest import fits, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_follows_the_job_and_offers_the_file(live_server, page, office_staff):
    job = Job.objects.create(
        task="consult_portal.export_url", label="导出议题(9000 行,xlsx)", owner=office_staff
    )
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    bar = page.get_by_role("progressbar", name="任务进度")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    assert fits(page)

    # The worker reports its progress: the bar follows without a reload.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=450, total=900)
    expect(bar).to_have_attribute("aria-valuenow", "50", timeout=10_000)
    expect(page.get_by_text("进行中(450 / 900)")).to_be_visible()
    screenshot(page, "job-progress")

    name = default_storage.save(f"jobs/{job.pk}/议题.xlsx", ContentFile(b"PK\x03\x04"))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, file=name, done=900)
    link = page.get_by_role("link", name="下载 议题.xlsx")
    expect(link).to_be_visible(timeout=10_000)
    assert fits(page)
    default_storage.delete(name)
