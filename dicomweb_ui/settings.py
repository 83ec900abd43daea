"""Settings for dicomweb_ui, read from environment variables (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from .env import envbool, envchoice, envint, envlist, envsecret, envstr, envurl

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = envbool("DEBUG", True)
SECRET_KEY = envsecret("SECRET_KEY", debug=DEBUG, path=VAR_DIR / "secret_key")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envurl("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "dicomweb_ui",
    "console",
    "operations",
    # The emulator's apps: in the project so that `migrate` and the shared worker know their models.
    # The console never imports them; it reaches the emulator over HTTP only.
    "emulator",
    "emulator.storage",
    "emulator.healthcare",
    "emulator.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dicomweb_ui.urls"
WSGI_APPLICATION = "dicomweb_ui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dicomweb_ui.context_processors.frame",
            ],
        },
    },
]

# Database: SQLite in var/ (WAL, busy timeout) unless DATABASE_URL is set.
_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    _db = dj_database_url.parse(envstr("DATABASE_URL", _default_db), conn_max_age=60)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "timeout": envint("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file (not memory) so that worker and emulator processes started by tests see it.
    # One per test run, so that concurrent runs do not share it.
    _db["TEST"] = {"NAME": envstr("TEST_DATABASE_PATH", str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3"))}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: English default, German translation.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Google APIs: the emulator by default; set CLOUD_EMULATOR_URL empty to use Google with ADC.
CLOUD_EMULATOR_URL = envurl("CLOUD_EMULATOR_URL", "http://127.0.0.1:8080")
GCP_TIMEOUT = envint("GCP_TIMEOUT", 30, minimum=1, maximum=600)

# The emulator (its own process: manage.py runemulator).
EMULATOR_DATA_DIR = Path(envstr("EMULATOR_DATA_DIR", str(VAR_DIR / "emulator"))).resolve()
EMULATOR_ALLOW = envbool("EMULATOR_ALLOW", False)
EMULATOR_LOCATIONS = envlist("EMULATOR_LOCATIONS", "us-central1,europe-west4")
# The emulator's own base URL, for links it hands out (mediaLink, logsUrl).
EMULATOR_PUBLIC_URL = envurl("EMULATOR_PUBLIC_URL", "http://127.0.0.1:8080")
EMULATOR_WORKERS = envint("EMULATOR_WORKERS", 2, minimum=1, maximum=64)  # gunicorn processes
EMULATOR_THREADS = envint("EMULATOR_THREADS", 8, minimum=1, maximum=256)  # threads per process

# Celery and Redis.
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Countdowns (poll backoff) must stay far below this, or a task runs twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_TASK_DEFAULT_QUEUE = "operations"
# Each queue bound under its own routing key (without one, kombu binds both under the default key).
CELERY_TASK_QUEUES = (Queue("operations", routing_key="operations"), Queue("emulator", routing_key="emulator"))
CELERY_TASK_ROUTES = {"emulator.*": {"queue": "emulator"}}
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

LOG_LEVEL = envchoice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "dicomweb-ui@localhost")

# -- console (issue 5) ----------------------------------------------------------------------------------
# Retries of transient Google API errors (429/500/503, timeouts): attempts in all, backoff in milliseconds.
GCP_RETRY_ATTEMPTS = envint("GCP_RETRY_ATTEMPTS", 4, minimum=1, maximum=10)
GCP_RETRY_INITIAL_DELAY = envint("GCP_RETRY_INITIAL_DELAY_MS", 500, minimum=1) / 1000
GCP_RETRY_MAX_DELAY = envint("GCP_RETRY_MAX_DELAY_MS", 8000, minimum=1) / 1000
# The dry-run preview of an import lists at most this many pages of 1,000 objects.
CONSOLE_PREVIEW_MAX_PAGES = envint("CONSOLE_PREVIEW_MAX_PAGES", 5, minimum=1, maximum=100)

# -- operations (issue 6) -------------------------------------------------------------------------------
# Polling of long-running operations: 1 s, 2 s, 4 s … then every OPERATIONS_POLL_STEADY_SECONDS (Google
# advises ~10 s); always far below the broker's visibility timeout.
OPERATIONS_POLL_FIRST_SECONDS = envint("OPERATIONS_POLL_FIRST_SECONDS", 1, minimum=1, maximum=60)
OPERATIONS_POLL_STEADY_SECONDS = envint("OPERATIONS_POLL_STEADY_SECONDS", 10, minimum=1, maximum=600)
OPERATIONS_POLL_MAX_RETRIES = envint("OPERATIONS_POLL_MAX_RETRIES", 10, minimum=0, maximum=100)
# The sweeper re-enqueues a running operation whose poll is this many seconds overdue.
OPERATIONS_SWEEP_GRACE_SECONDS = envint("OPERATIONS_SWEEP_GRACE_SECONDS", 30, minimum=0, maximum=3600)
OPERATIONS_SWEEP_INTERVAL = envint("OPERATIONS_SWEEP_INTERVAL", 60, minimum=5, maximum=3600)
OPERATIONS_PAGE_SIZE = envint("OPERATIONS_PAGE_SIZE", 50, minimum=5, maximum=500)
# Notifications when an operation ends (all optional).
OPERATIONS_NOTIFY_EMAILS = envlist("OPERATIONS_NOTIFY_EMAILS")
OPERATIONS_NOTIFY_STARTER = envbool("OPERATIONS_NOTIFY_STARTER", False)
OPERATIONS_WEBHOOK_URL = envurl("OPERATIONS_WEBHOOK_URL")
CELERY_BEAT_SCHEDULE["operations-sweep"] = {
    "task": "operations.tasks.operations_sweep_task",
    "schedule": float(OPERATIONS_SWEEP_INTERVAL),
    "options": {"expires": float(OPERATIONS_SWEEP_INTERVAL)},
}

# -- emulator (issues 3 and 4) --------------------------------------------------------------------------
# Emulated import/export jobs (emulator/jobs): objects or instances per Celery task (chunk).
EMULATOR_JOBS_CHUNK_SIZE = envint("EMULATOR_JOBS_CHUNK_SIZE", 100, minimum=1, maximum=10000)
# Tests only: a pause after each object/instance, to widen the window for cancel and SIGKILL tests.
EMULATOR_JOBS_ITEM_DELAY = envint("EMULATOR_JOBS_ITEM_DELAY_MS", 0, minimum=0, maximum=10000) / 1000
# Tests only: a short Redis visibility timeout, so that the task of a worker killed outright (main process
# and pool) is redelivered within seconds rather than after an hour. 0 keeps the setting above.
if _visibility := envint("EMULATOR_TEST_VISIBILITY_TIMEOUT", 0, minimum=0):
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": _visibility,
                                       "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
