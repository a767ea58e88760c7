"""System checks of the deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """The public pages' rate limits count in the default cache; a cache kept inside each
    process gives every gunicorn worker its own count (and a dummy cache counts nothing)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in _PER_PROCESS_CACHES:
        return [
            checks.Warning(
                "The default cache is kept inside each process, so every gunicorn worker keeps "
                "its own count of the public pages' rate limits.",
                hint="Set DJANGO_CACHE_URL=redis://127.0.0.1:6379/1 (see README, Production).",
                id="consult_portal.W001",
            )
        ]
    return []


@checks.register(deploy=True)
def check_task_queue(app_configs=None, **kwargs):
    """Without a broker every task (mails, large imports and exports) runs inside the web request
    that queued it, which is what the queue is there to avoid."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return [
            checks.Warning(
                "Queued jobs run inside the web requests (CELERY_TASK_ALWAYS_EAGER): mails, large "
                "imports and exports hold a gunicorn worker.",
                hint="Set CELERY_BROKER_URL=redis://127.0.0.1:6379/2 and run `celery -A "
                "consult_portal worker` and `celery -A consult_portal beat` (README, Production).",
                id="consult_portal.W002",
            )
        ]
    return []
