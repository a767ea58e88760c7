"""Settings shared by every environment, read from the environment (django-environ).

Environment-specific modules (local, test, production) import from here and override.
"""

from pathlib import Path

import environ

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
    "consult_portal",
    "platforms",
    "members",
    "topics",
    "dashboards",
    "notifications",
]

MIDDLEWARE = [
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
]

ROOT_URLCONF = "consult_portal.urls"
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
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT compiles any query its planner thinks expensive: on the dashboard's
    # aggregates over a province that costs 1–3 s of compiling per query to save milliseconds of
    # running (docs/BENCHMARKS.md, "Dashboards at province scale").
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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

# The rate limits of the public pages count in this cache: with several gunicorn workers it must
# be shared (Redis), or each worker keeps its own count (check --deploy warns, consult_portal.W001).
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://")}

# How many reverse proxies of ours stand in front of the site (nginx on the same host: 1). The
# client's address is then read from X-Forwarded-For; with 0 the header is never trusted.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Topic referrals default to this many days before they are due (issue 4 uses it).
TOPIC_REFERRAL_DEFAULT_DAYS = env.int("TOPIC_REFERRAL_DEFAULT_DAYS", default=30)

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
