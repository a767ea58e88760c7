"""Test settings: fast hashing, in-memory e-mail; DATABASE_URL picks SQLite or PostgreSQL."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = False
SECRET_KEY = "insecure-test-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Query counts are locked with the filters' choices read every time (the cold cache);
# tests/test_lists.py turns the cache on where it tests it.
LIST_OPTIONS_CACHE_SECONDS = 0
ALLOWED_HOSTS = ["*"]
# Tests serve static files through the finders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
_ = env
PORTAL_BASE_URL = "https://portal.example.test"
# Tasks run inline (consult_portal.celery); a test that needs a real broker sets its own.
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
REPORT_WORKBOOK_AS_JOB = False
