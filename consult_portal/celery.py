"""The task queue (Celery on Redis): work that should not hold a web worker — mails, large
imports and exports, the report workbook, the nightly reminders and summary repair.

Start a worker with ``celery -A consult_portal worker`` and the schedule with ``celery -A
consult_portal beat`` (README, "Production"). In development and in the tests
``CELERY_TASK_ALWAYS_EAGER`` runs every task inline in the process that queued it, so ``make run``
needs no Redis and no worker. Tasks are found in each app's ``tasks.py``; every one goes through
``consult_portal.jobs`` (a ``Job`` row per run that fails or that a user waits for).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult_portal.settings.local")

app = Celery("consult_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
