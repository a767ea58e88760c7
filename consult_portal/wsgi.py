"""WSGI entry point (gunicorn consult_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult_portal.settings.production")
# Web requests only: no statement runs longer than 30 s (override with the variable).
os.environ.setdefault("DJANGO_STATEMENT_TIMEOUT_MS", "30000")

application = get_wsgi_application()
