"""The task queue (issue 18, item 3): mails leave the request as jobs, are retried with backoff
and never sent twice; failed jobs are listed with their error and can be retried; who sees
which job. Eager mode here (tasks run inline); tests/test_queue_worker.py runs a real worker
against Redis."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consult_portal import celery_app
from consult_portal.jobs import backoff, enqueue, job_retry
from consult_portal.models import Job, JobStatus
from dashboards import tasks as dashboard_tasks
from notifications import delivery, tasks
from notifications.models import Notification, NotificationStatus
from topics.lifecycle import TopicStatus
from topics.services.transitions import topic_transition

from .conftest import client_for
from .test_notifications import due, people  # noqa: F401  fixtures: people with mail, reminders due


def accept_topic_a(world, office_staff, capture):
    with capture(execute=True):
        topic_transition(topic=world.topic_a, actor=office_staff, to=TopicStatus.ACCEPTED)


@pytest.mark.usefixtures("people")
def test_an_event_mail_is_a_job_after_the_commit(
    world, office_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        topic_transition(topic=world.topic_a, actor=office_staff, to=TopicStatus.ACCEPTED)
    # Nothing recorded or sent inside the write: one callback queues the event's job.
    assert len(callbacks) == 1 and not Notification.objects.exists() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert [m.to for m in mail.outbox] == [["member_a@example.test"]]
    assert Notification.objects.get().status == NotificationStatus.SENT
    assert not Job.objects.exists()  # a job that went well leaves no row behind


@pytest.mark.usefixtures("people")
def test_a_failed_mail_job_is_listed_and_its_retry_sends_it_once(
    world, office_staff, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    real_send = EmailMessage.send
    monkeypatch.setattr(
        EmailMessage, "send", lambda *a, **k: (_ for _ in ()).throw(ConnectionRefusedError("down"))
    )
    accept_topic_a(world, office_staff, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    record = Notification.objects.get()
    assert record.status == NotificationStatus.FAILED and "down" in record.error
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and job.task == "notifications.send_mail"
    assert job.kwargs == {"notification_id": record.pk} and "MailFailed: down" in job.error
    assert job.owner is None and job.label == "发送邮件"

    page = client_for(admin_user).get("/jobs/failed/").content.decode()
    assert "发送邮件" in page and "MailFailed: down" in page and f"/jobs/{job.pk}/retry/" in page
    # A mail job has no owner: office staff do not see it, and cannot retry it by its address.
    staff = client_for(office_staff)
    assert "MailFailed" not in staff.get("/jobs/failed/").content.decode()
    assert staff.post(f"/jobs/{job.pk}/retry/").status_code == 404

    monkeypatch.setattr(EmailMessage, "send", real_send)
    admin = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/jobs/{job.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert [m.to for m in mail.outbox] == [["member_a@example.test"]]
    record.refresh_from_db()
    job.refresh_from_db()
    assert record.status == NotificationStatus.SENT and record.attempts == 2
    assert job.status == JobStatus.DONE and job.attempts == 2
    # Retrying again, or the job running again (a redelivered message): no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/jobs/{job.pk}/retry/").status_code == 302
    tasks.send_mail.apply(kwargs={"notification_id": record.pk})
    assert delivery.send_queued(record.pk) is False
    assert len(mail.outbox) == 1
    assert "没有失败的后台任务" in admin.get("/jobs/failed/").content.decode()


def test_a_refused_mail_is_retried_with_growing_backoff(world, monkeypatch):
    """On a worker (not eager) the send task asks Celery to retry after 30 s, 60 s, 120 s …"""
    record = Notification.objects.create(
        kind="topic_raised", dedupe_key="k", recipient_email="a@example.test", subject="s", body="b"
    )
    Notification.objects.filter(pk=record.pk).update(status=NotificationStatus.QUEUED)
    monkeypatch.setattr(
        EmailMessage, "send", lambda *a, **k: (_ for _ in ()).throw(OSError("refused"))
    )
    asked = []

    class Retry(Exception):
        pass

    def fake_retry(exc=None, countdown=None, **kwargs):
        asked.append((str(exc), countdown))
        return Retry()

    monkeypatch.setattr(tasks.send_mail, "retry", fake_retry)
    for retries in (0, 2):
        tasks.send_mail.push_request(is_eager=False, retries=retries)
        try:
            with pytest.raises(Retry):
                tasks.send_mail(notification_id=record.pk)
        finally:
            tasks.send_mail.pop_request()
    assert asked == [("refused", 30), ("refused", 120)]
    record.refresh_from_db()
    assert record.status == NotificationStatus.FAILED and record.attempts == 2
    assert [backoff(n) for n in (0, 1, 5, 20)] == [30, 60, 960, 1800]


def test_office_staff_see_and_retry_only_their_own_failed_jobs(
    world, office_staff, other_staff, admin_user, django_capture_on_commit_callbacks
):
    mine = Job.objects.create(
        task="dashboards.repair_summaries",
        label="我的导出",
        owner=office_staff,
        status=JobStatus.FAILED,
        error="磁盘已满",
    )
    theirs = Job.objects.create(
        task="dashboards.repair_summaries",
        label="别人的导出",
        owner=other_staff,
        status=JobStatus.FAILED,
        error="磁盘已满",
    )
    page = client_for(office_staff).get("/jobs/failed/").content.decode()
    assert "我的导出" in page and "别人的导出" not in page and "磁盘已满" in page
    assert client_for(office_staff).get(f"/jobs/{theirs.pk}/").status_code == 404
    assert client_for(office_staff).get(f"/jobs/{theirs.pk}/status/").status_code == 404
    assert client_for(office_staff).post(f"/jobs/{theirs.pk}/retry/").status_code == 404
    both = client_for(admin_user).get("/jobs/failed/").content.decode()
    assert "我的导出" in both and "别人的导出" in both
    with django_capture_on_commit_callbacks(execute=True):
        client_for(office_staff).post(f"/jobs/{mine.pk}/retry/")
    mine.refresh_from_db()
    assert mine.status == JobStatus.DONE  # the task ran again (eager) and succeeded


@pytest.mark.parametrize("role", ["member_user", "leader"])
def test_members_and_leaders_have_no_failed_jobs_page(request, world, role):
    user = request.getfixturevalue(role)
    assert client_for(user).get("/jobs/failed/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(db):
    from django.test import Client

    assert Client().get("/jobs/failed/")["Location"].startswith("/accounts/login/")
    assert Client().get(f"/jobs/{uuid.uuid4()}/status/").status_code == 302


def test_the_failed_jobs_list_costs_the_same_for_2_and_20_jobs(world, office_staff):
    def make(n):
        Job.objects.bulk_create(
            Job(task="x", label=f"任务{i}", owner=office_staff, status=JobStatus.FAILED)
            for i in range(n)
        )

    client = client_for(office_staff)
    make(2)
    client.get("/jobs/failed/")  # warm the session and the scope
    with CaptureQueriesContext(connection) as two:
        assert client.get("/jobs/failed/").status_code == 200
    make(18)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/jobs/failed/").content.decode().count("重试<span") == 20
    assert len(two.captured_queries) == len(twenty.captured_queries)


def test_a_broker_that_cannot_be_reached_leaves_a_failed_job_not_a_lost_one(
    world, office_staff, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr(dashboard_tasks.repair_summaries, "apply_async", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue(dashboard_tasks.repair_summaries, owner=office_staff, track=True)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "任务队列不可用" in job.error
    assert job.owner == office_staff and job.task == "dashboards.repair_summaries"


def test_the_beat_schedule_names_registered_tasks():
    import notifications.tasks  # noqa: F401

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} == {
        "notifications.send_reminders",
        "dashboards.repair_summaries",
    }
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks
    assert str(schedule["send-reminders"]["schedule"]) == str(
        __import__("celery").schedules.crontab(hour=18, minute=0)
    )


@pytest.mark.usefixtures("due")
def test_the_scheduled_reminders_send_once_and_a_refused_run_is_a_failed_job(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    real_send = EmailMessage.send
    monkeypatch.setattr(
        EmailMessage, "send", lambda *a, **k: (_ for _ in ()).throw(OSError("smtp down"))
    )
    tasks.send_reminders.apply()
    job = Job.objects.get(task="notifications.send_reminders")
    assert job.status == JobStatus.FAILED and "4 封邮件发送失败" in job.error
    assert mail.outbox == []
    monkeypatch.setattr(EmailMessage, "send", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        assert job_retry(job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and len(mail.outbox) == 4
    tasks.send_reminders.apply()  # the next evening's run: nothing twice
    assert len(mail.outbox) == 4


def test_the_user_menu_links_the_failed_jobs_for_office_staff_only(world, office_staff, leader):
    assert "/jobs/failed/" in client_for(office_staff).get("/").content.decode()
    assert "/jobs/failed/" not in client_for(leader).get("/").content.decode()
