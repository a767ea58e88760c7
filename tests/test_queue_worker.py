"""The queue for real (issue 18, item 3): with eager mode off a job goes to Redis and is not run
in the process that queued it; a Celery worker (in a thread of this process, the same code as
`celery -A consult_portal worker`) takes it, retries a refused mail after its backoff and sends
it once. Needs Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/14; .ci/run starts it)."""

from __future__ import annotations

import os
import time
import uuid

import kombu.pools
import pytest
from django.core import mail
from django.core.mail import EmailMessage

from consult_portal import celery_app, jobs
from consult_portal.jobs import enqueue
from notifications import tasks
from notifications.models import Notification, NotificationStatus

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker(settings):
    """Eager mode off, the broker on Redis, a queue of this test's own."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_URL}; CI starts it (.ci/run)")
    queue = f"test-{uuid.uuid4().hex}"
    saved = {
        key: celery_app.conf[key]
        for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    _forget_connections()
    try:
        yield client, queue
    finally:
        celery_app.conf.update(**saved)
        _forget_connections()
        client.delete(queue, f"_kombu.binding.{queue}")


def _forget_connections() -> None:
    """Drop what the app cached from an earlier broker URL or default queue (its producer pool
    and its queue table), so the next message goes where the conf now says."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    amqp = celery_app.amqp
    amqp._producer_pool = None
    amqp._rtable = None
    for cached in ("queues", "default_queue", "router"):
        amqp.__dict__.pop(cached, None)
    # kombu keeps its connection and producer pools in process-wide registries keyed by broker
    # URL: an eager test's pool closed above would otherwise stay registered, and the next
    # eager task (which still borrows a producer) fails with "Acquire on closed pool".
    kombu.pools.reset()


def wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_queued_mail_waits_in_redis_and_a_worker_sends_it_once(broker, monkeypatch):
    from celery.contrib.testing.worker import start_worker

    client, queue = broker
    record = Notification.objects.create(
        kind="topic_raised",
        dedupe_key="worker:1",
        recipient_email="worker@example.test",
        subject="【协商平台】测试",
        body="正文",
        status=NotificationStatus.QUEUED,
    )
    # The first try is refused by the mail server, the retry (after a backoff of 0 s here) goes.
    real_send, calls = EmailMessage.send, []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("smtp down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    monkeypatch.setattr(jobs, "BACKOFF_SECONDS", 0)

    enqueue(tasks.send_mail, kwargs={"notification_id": record.pk})  # no transaction: now
    # Queued, not run inline: the message is in Redis and nothing was sent.
    assert client.llen(queue) == 1
    assert mail.outbox == [] and calls == []
    record.refresh_from_db()
    assert record.status == NotificationStatus.QUEUED

    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue]):
        assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the mail"
        record.refresh_from_db()
        assert wait_for(
            lambda: Notification.objects.get(pk=record.pk).status == NotificationStatus.SENT
        )
    record.refresh_from_db()
    assert record.attempts == 2 and len(calls) == 2
    assert [m.to for m in mail.outbox] == [["worker@example.test"]]
    assert client.llen(queue) == 0
