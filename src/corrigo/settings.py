"""Django settings for Corrigo, read from the environment.

Out of the box Corrigo keeps everything in SQLite under ``$CORRIGO_DATA``
(default ``./corrigo-data``); set ``DATABASE_URL`` for PostgreSQL.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url

from corrigo.config import (
    base_url,
    data_dir,
    env_bool,
    env_list,
    env_seconds,
    host_port_list,
    network_list,
    secret_key,
    smtp_settings,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = env_bool("CORRIGO_DEBUG", False)
DEMO = env_bool("CORRIGO_DEMO", False)
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("CORRIGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CORRIGO_CSRF_TRUSTED_ORIGINS", "")
# host:port entries that outbound requests (fetching, webhooks) may reach on private addresses.
ALLOW_PRIVATE_HOSTS = host_port_list("CORRIGO_ALLOW_PRIVATE_HOSTS")

# Outgoing mail goes through CORRIGO_SMTP_URL when it is set (smtp://, smtp+starttls://,
# smtps://, optional user:password@); without it every mail is kept in the desk's mailbox,
# where site admins read it (docs/operations.md, "Mail").
SMTP_URL = os.environ.get("CORRIGO_SMTP_URL", "").strip()
_smtp = smtp_settings(SMTP_URL) if SMTP_URL else {}
EMAIL_HOST = _smtp.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _smtp.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _smtp.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _smtp.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _smtp.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _smtp.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("CORRIGO_FROM_EMAIL", "").strip() or "Corrigo <corrigo@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in mail and chat messages point: this Corrigo's public address (the demo sets
# its own). Unset, links are made from the first of CORRIGO_ALLOWED_HOSTS (corrigo.notify.links).
BASE_URL = base_url(os.environ["CORRIGO_BASE_URL"]) if os.environ.get("CORRIGO_BASE_URL", "").strip() else ""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "corrigo.sites",
    "corrigo.articles",
    "corrigo.reports",
    "corrigo.jobs",
    "corrigo.notify",
    "corrigo.audit",
    "corrigo.corrections",
    "corrigo.desk",
    "corrigo.demo",
    "corrigo.widget",
]

MIDDLEWARE = [
    "corrigo.monitoring.request_timer",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corrigo.middleware.Sessions",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "corrigo.middleware.Authentication",
    "corrigo.middleware.Messages",
    "corrigo.middleware.FrameOptions",
    "django_htmx.middleware.HtmxMiddleware",
    "corrigo.desk.middleware.content_security_policy",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "corrigo.urls"
WSGI_APPLICATION = "corrigo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite: WAL lets readers run beside the single writer; IMMEDIATE transactions
# take the write lock up front so concurrent writers queue on the busy timeout
# instead of failing with "database is locked" when a read upgrades to a write.
# FULL syncs the WAL on every commit, so an acknowledged report survives a power
# cut, not only a crash; NORMAL trades that for speed (docs/decisions/0006-intake-sql.md).
SQLITE_SYNCHRONOUS = os.environ.get("CORRIGO_SQLITE_SYNCHRONOUS", "FULL").upper()
if SQLITE_SYNCHRONOUS not in {"FULL", "NORMAL", "EXTRA"}:
    raise ValueError("CORRIGO_SQLITE_SYNCHRONOUS must be FULL, NORMAL or EXTRA")
SQLITE_OPTIONS = {
    "init_command": (f"PRAGMA journal_mode=WAL;PRAGMA synchronous={SQLITE_SYNCHRONOUS};PRAGMA foreign_keys=ON;"),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "corrigo.sqlite3",
            # A new SQLite connection costs milliseconds (pragmas, Django's SQL functions):
            # keep one per worker instead of one per request.
            "CONN_MAX_AGE": None,
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
# Test databases get a per-process name, so that test runs side by side do not
# destroy each other's database; SQLite tests use a file, not memory, so that a
# live server's threads each get their own connection, as in production.
_test_run = os.environ.get("CORRIGO_TEST_RUN") or str(os.getpid())
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", SQLITE_OPTIONS)
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"corrigo-test-{_test_run}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_test_run}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes locks a user name out after repeated failed logins (docs/decisions/0005-django-axes.md).
# By user name, not address: Corrigo never stores raw IP addresses.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "corrigo.desk.auth.no_client_address"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "desk/locked_out.html"
# That check wants lockouts by address too; Corrigo keeps no addresses (docs/design.md).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:queue"
LOGOUT_REDIRECT_URL = "desk:login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The proxies in front of Corrigo (CIDRs): only a request from one of them may say, in
# X-Forwarded-For, which client it is passing on; anyone else is the client itself.
TRUSTED_PROXIES = network_list("CORRIGO_TRUSTED_PROXIES")
# Intake's limits count in Redis when it is set (shared by every app process), else in the database.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Off only for the test suite and benchmarks that post many reports from one client.
INTAKE_LIMITS = env_bool("CORRIGO_INTAKE_LIMITS", True)
# New texts of one article that readers' reports may store in a day (reports.services); the rest keep their quotes only.
READER_TEXTS_PER_DAY = int(os.environ.get("CORRIGO_READER_TEXTS_PER_DAY", "50"))
# The first part of every limit's key, so that two Corrigos can share one Redis.
LIMITS_NAMESPACE = os.environ.get("CORRIGO_LIMITS_NAMESPACE", "").strip() or "corrigo"

# A report body is at most 1 MiB (docs/api.md); Django refuses larger bodies early.
REPORT_BODY_LIMIT = 1024 * 1024
PUBLISH_BODY_LIMIT = 2 * 1024 * 1024  # a CMS's push (POST /api/v1/articles) may carry a whole page
# The largest body any endpoint takes; each endpoint checks its own limit (intake: 1 MiB).
DATA_UPLOAD_MAX_MEMORY_SIZE = PUBLISH_BODY_LIMIT
# Every request body is read whole before Django sees it (corrigo.serving, decision 0033):
# at most this many bytes, within this many seconds, or the client is answered 413 or 408.
REQUEST_BODY_LIMIT = PUBLISH_BODY_LIMIT
BODY_SECONDS = env_seconds("CORRIGO_BODY_SECONDS", 15)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not (DEBUG or DEMO) and env_bool("CORRIGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Strict-Transport-Security on HTTPS answers (gunicorn takes X-Forwarded-Proto from
# CORRIGO_FORWARDED_ALLOW_IPS); off unless set, as a wrong value locks browsers out for that long.
SECURE_HSTS_SECONDS = env_seconds("CORRIGO_HSTS_SECONDS", 0, high=10 * 365 * 86400)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CORRIGO_HSTS_INCLUDE_SUBDOMAINS", False)

# Reporters' addresses are erased this many days after their case closes (corrigo.reports.privacy).
REPORTER_EMAIL_DAYS = env_seconds("CORRIGO_REPORTER_EMAIL_DAYS", 90, high=3650, unit="days")

# /metrics (corrigo.monitoring): scrapers with this bearer token, or straight from these networks.
METRICS_TOKEN = os.environ.get("CORRIGO_METRICS_TOKEN", "").strip()
METRICS_NETWORKS = network_list("CORRIGO_METRICS_NETWORKS", "127.0.0.1/32,::1/128")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "corrigo.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CORRIGO_LOG_LEVEL", "WARNING")},
}
