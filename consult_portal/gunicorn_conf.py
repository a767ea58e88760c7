"""gunicorn's settings for production: ``gunicorn -c python:consult_portal.gunicorn_conf
consult_portal.wsgi`` (``make prod``, ``docs/deploy/consult-portal@.service``).

Workers follow the CPU count (2 × cores + 1, gunicorn's own rule of thumb for synchronous
workers), a request may run at most ``GUNICORN_TIMEOUT`` seconds before its worker is replaced
(the database's statement timeout, 30 s, fires first for a slow query), and each worker is
recycled after some thousand requests so a slow leak never grows without bound. Every value can
be overridden from the environment.
"""

from __future__ import annotations

import multiprocessing
import os


def workers_for(cpu_count: int, override: str | None = None) -> int:
    if override:
        return max(1, int(override))
    return 2 * max(1, cpu_count) + 1


bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = workers_for(multiprocessing.cpu_count(), os.environ.get("GUNICORN_WORKERS"))
# An .xlsx export of 100,000 rows takes about 14 s (docs/BENCHMARKS.md); 60 s leaves room.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# nginx on the same host sets X-Forwarded-Proto; trust it from there only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
wsgi_app = "consult_portal.wsgi:application"
