"""Settings shared by every environment, read from the environment (django-environ).

Environment-specific modules (local, test, production) import from here and override.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A .env file is optional; real deployments set the environment directly.
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "treebeard",
    "simple_history",
    "axes",
    "csp",
    "consult_portal",
    "platforms",
    "members",
    "topics",
    "proposals",
    "dashboards",
    "notifications",
    "portal",
    # Demo and benchmark data (seed_demo, seed_province); production settings drop it.
    "demo",
]

MIDDLEWARE = [
    # /healthz for a load balancer, answered before any redirect, session or host check.
    "consult_portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records request.user on django-simple-history rows (who changed what).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "consult_portal.middleware.PermissionsPolicyMiddleware",
    # Idle sign-out, and signed-in pages and exports never kept by a browser or proxy cache.
    "consult_portal.middleware.SignedInMiddleware",
    # After a write, this browser reads the primary database for a few seconds (replica lag).
    "consult_portal.replica.PinToPrimaryMiddleware",
    # Login throttling (django-axes) answers a locked-out login; it must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "consult_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consult_portal.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# SQLite (the embedded default) with several people saving at once: write-ahead logging lets
# readers and a writer work together, every transaction takes the write lock when it begins
# (IMMEDIATE: a transaction that read first can never fail to upgrade), and a writer waits up
# to 20 s for the lock instead of answering "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT compiles any query its planner thinks expensive: on the dashboard's
    # aggregates over a province that costs 1–3 s of compiling per query to save milliseconds of
    # running (docs/BENCHMARKS.md, "Dashboards at province scale").
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# A streaming PostgreSQL replica for the dashboards, lists and exports (consult_portal.replica):
# reads there, writes and everything else on the primary, and a browser that just wrote reads the
# primary for DATABASE_REPLICA_PIN_SECONDS (read-your-writes). Unset: one database, as before.
_replica_url = env("DATABASE_REPLICA_URL", default="")
if _replica_url:
    DATABASES["replica"] = env.db_url_config(_replica_url)
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Tests: the replica alias is the test database itself (no second test database is made).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["consult_portal.replica.ReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling and lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# user name, or from one address, further attempts are refused for the cool-off time, even with
# the right password. Attempts are stored in the database (shared by every instance); an
# administrator unlocks early by deleting the attempts in the admin (访问尝试) or with
# `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=15))
# Each parameter counts on its own: one user name from anywhere, or one address for any name.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every management command
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The same client address as the public rate limits (trusted proxies only).
AXES_CLIENT_IP_CALLABLE = "consult_portal.http.client_ip_address"
AXES_COOLOFF_MESSAGE = "登录失败次数过多,账号已暂时锁定,请稍后再试或联系管理员解锁。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多,账号已锁定,请联系管理员解锁。"

# Content-Security-Policy: scripts, styles, fonts, images and connections only from this site
# (front-end packages are served by us, never a CDN), no inline or injected script, no plugins,
# no framing, forms post only here. Style *attributes* stay allowed: a few templates and the
# admin set a width inline, and an attribute cannot run script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page of the portal uses are switched off for every page.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()"
)

# Signed-in sessions end after this many seconds without a request (30 minutes by default).
# consult_portal.middleware moves the end forward at most once a minute, so a page view does not
# write the session row every time.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_SECONDS", default=30 * 60)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
# One language (docs/DECISIONS.md, "One language: Simplified Chinese"): no LocaleMiddleware, so a
# browser asking for English still gets Django's own strings (form labels, errors) in Chinese.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# Front-end packages come from npm into node_modules/ (see package.json); only the
# files we use are exposed, under /static/vendor/.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
# Uploaded and generated files (session attachments, venue photos, imports waiting for their
# confirmation) go through Django's storage API: the file system under MEDIA_ROOT by default, any
# S3-compatible store (MinIO, Ceph, a cloud's object storage) when DJANGO_S3_BUCKET is set, so
# that every app instance sees the same files. The bucket stays private: files are only ever
# served through the views that check access, never by a storage URL.
S3_BUCKET = env("DJANGO_S3_BUCKET", default="")
if S3_BUCKET:
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("DJANGO_S3_ENDPOINT_URL", default=None),
            "access_key": env("DJANGO_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("DJANGO_S3_SECRET_ACCESS_KEY", default=None),
            "region_name": env("DJANGO_S3_REGION", default=None),
            # MinIO and most self-hosted stores want path-style addresses.
            "addressing_style": env("DJANGO_S3_ADDRESSING_STYLE", default="path"),
            "location": env("DJANGO_S3_PREFIX", default="media"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    DEFAULT_FILE_STORAGE_CONFIG = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded files live outside the web root and are served through views that check access.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
# Session attachments: at most this many bytes each; the type is checked from the content.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

EMAIL_CONFIG = env.email("DJANGO_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="协商平台 <noreply@localhost>")
# Mails are sent after the request's commit, in the request: do not wait long for the server.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)
# Links in mails are absolute and there is no request to build them from (send_reminders).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# The task queue (Celery on Redis, consult_portal.celery; docs/DECISIONS.md, "A task queue").
# Without CELERY_BROKER_URL every task runs inline in the process that queued it (eager), so
# `make run` needs no Redis and no worker; production sets the broker and runs
# `celery -A consult_portal worker` and `celery -A consult_portal beat` (README, "Production").
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
# An eager task that fails is recorded as a failed job (the failed-jobs page), as a worker's is,
# instead of raising into the request that queued it.
CELERY_TASK_EAGER_PROPAGATES = False
# No result backend: what a job produced is kept in its Job row (consult_portal.jobs).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task unacknowledged this long (its worker died) is handed to another worker; longer than the
# longest job (an import of 50,000 rows, a province-wide export).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60 + 60
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True
# `celery beat`: the daily reminders at 18:00 (members hear of tomorrow's shift the evening
# before) and the nightly check of the dashboard summaries (rebuilt only if they differ).
CELERY_BEAT_SCHEDULE = {
    "send-reminders": {
        "task": "notifications.send_reminders",
        "schedule": crontab(hour=18, minute=0),
    },
    "repair-summaries": {
        "task": "dashboards.repair_summaries",
        "schedule": crontab(hour=2, minute=30),
    },
}
# Exports of more rows than this run as a job (a link on the page when the file is ready).
EXPORT_JOB_THRESHOLD_ROWS = env.int("EXPORT_JOB_THRESHOLD_ROWS", default=5000)
# The leadership report workbook (dashboard 工作报告 → Excel) is written by a worker whenever the
# queue has one.
REPORT_WORKBOOK_AS_JOB = env.bool("REPORT_WORKBOOK_AS_JOB", default=not CELERY_TASK_ALWAYS_EAGER)
# Imports of sheets with more data rows than this are checked and written by a job.
IMPORT_JOB_THRESHOLD_ROWS = env.int("IMPORT_JOB_THRESHOLD_ROWS", default=2000)

# The rate limits of the public pages count in this cache: with several gunicorn workers it must
# be shared (Redis), or each worker keeps its own count (check --deploy warns, consult_portal.W001).
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://")}
# The long selects of the list filters (areas, venues, units of a scope) are drawn once and kept
# this long (seconds; 0: drawn on every page): a venue added shows in the filter that much later.
LIST_OPTIONS_CACHE_SECONDS = env.int("DJANGO_LIST_OPTIONS_CACHE_SECONDS", default=120)

# How many reverse proxies of ours stand in front of the site (nginx on the same host: 1). The
# client's address is then read from X-Forwarded-For; with 0 the header is never trusted.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# A referral is due this many working days (工作日, consult_portal.workdays) after it is made,
# unless the office sets a date (issue 14).
REFERRAL_WORKDAYS = env.int("REFERRAL_WORKDAYS", default=15)

# Public venue pages: how many issues one address / one phone number may raise (issue 5).
PUBLIC_RAISE_LIMIT_PER_IP = env.int("PUBLIC_RAISE_LIMIT_PER_IP", default=5)  # per hour
PUBLIC_RAISE_LIMIT_IP_SECONDS = 3600
PUBLIC_RAISE_LIMIT_PER_PHONE = env.int("PUBLIC_RAISE_LIMIT_PER_PHONE", default=3)  # per day
PUBLIC_RAISE_LIMIT_PHONE_SECONDS = 86400

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# Member assessment bands (issue 5, item 3): (lowest total, label), highest first. The defaults
# for a year without saved bands (members.PointBand, edited on the point rules page).
MEMBER_POINT_BANDS = [(90, "优秀"), (80, "良好"), (60, "称职"), (0, "不称职")]
