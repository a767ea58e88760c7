"""Production settings: everything secret or site-specific comes from the environment.

The portal refuses to start without DJANGO_SECRET_KEY.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")

DEBUG = False
# The demo and benchmark generators do not ship: no seed_demo / seed_province here.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "demo"]  # noqa: F405
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# Files: the file system, or the S3-compatible store of DJANGO_S3_BUCKET (base.py). Static files:
# WhiteNoise, with hashed names and gzip/brotli copies made by collectstatic.
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Database connections are kept between requests (a new PostgreSQL backend per request costs
# about 10 ms of CPU, docs/BENCHMARKS.md) and checked before reuse, so a restarted database is
# reconnected to instead of failing the next request.
# The same for the replica (DATABASE_REPLICA_URL), when there is one.
_statement_timeout = env.int("DJANGO_STATEMENT_TIMEOUT_MS", default=0)
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    _database["CONN_HEALTH_CHECKS"] = True
    # A web request's statement may run at most this long on PostgreSQL (milliseconds). Set by
    # the WSGI entry point only (consult_portal/wsgi.py), so management commands (seeding,
    # rebuilding the summaries, imports) are not cut off.
    if _statement_timeout and "postgresql" in _database["ENGINE"]:
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = (
            _options.get("options", "") + f" -c statement_timeout={_statement_timeout}"
        ).strip()

# Sessions are read from the shared cache and written through to the database (cached_db): the
# session query leaves every page view (docs/BENCHMARKS.md, "Under load"). Only with a shared
# cache (Redis): with a per-process cache, a session signed out in one worker would stay alive
# in the others' caches.
if "redis" in CACHES["default"]["BACKEND"].lower():  # noqa: F405
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

SILENCED_SYSTEM_CHECKS = [
    # security.W021: HSTS preload is a one-way commitment for the whole domain; a government
    # office turns it on (DJANGO_SECURE_HSTS_PRELOAD=true) only after deciding to submit it.
    "security.W021",
]

EMAIL_CONFIG = env.email("DJANGO_EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
# Links in mails: the site's public address; by default https:// and the first allowed host.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default=f"https://{ALLOWED_HOSTS[0]}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
