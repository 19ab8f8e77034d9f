"""Settings shared by every profile; each value comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PMO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Behind a reverse proxy that sets X-Forwarded-For, take the client address from it.
PMO_TRUST_X_FORWARDED_FOR = env_bool("PMO_TRUST_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "pmo.devserver.apps.DevServerConfig",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pmo.apps.PmoConfig",
    "projects.apps.ProjectsConfig",
    "resources.apps.ResourcesConfig",
    "risks.apps.RisksConfig",
    "quality.apps.QualityConfig",
    "finance.apps.FinanceConfig",
    "maintenance.apps.MaintenanceConfig",
    "dashboard.apps.DashboardConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pmo.middleware.SecurityHeadersMiddleware",
    # Large plans (WBS, Gantt) shrink about fifteenfold; CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pmo.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "pmo.errors.ApiErrorBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pmo.middleware.UserLanguageMiddleware",
    "pmo.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "pmo.wsgi.application"
AUTH_USER_MODEL = "pmo.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "pmo.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'pmo.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a health check that asks the socket before sending SELECT 1 (pmo/db/postgresql).
    DATABASES["default"]["ENGINE"] = "pmo.db.postgresql"
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost. The O&M figures'
    # aggregates over every work order pass it, and compiling took 44 of their 93 ms (EXPLAIN ANALYZE,
    # L bench data): the compile costs more than it saves on the short reads of a web request.
    # DATABASE_JIT=on leaves the server's setting.
    if os.environ.get("DATABASE_JIT", "off").lower() != "on":
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins: after this many failures for one username (or one address) within the
# window, further attempts are refused until the window passes.
PMO_LOGIN_MAX_FAILURES = int(os.environ.get("PMO_LOGIN_MAX_FAILURES", "5"))
PMO_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("PMO_LOGIN_LOCKOUT_SECONDS", "900"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "pmo" / "locale"]
FORMAT_MODULE_PATH = ["pmo.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Attachments (pmo.attachments): kept in the "attachments" storage, never under a public URL.
# With PMO_ATTACHMENTS_S3_BUCKET set they go to an S3-compatible object store (AWS S3, MinIO, ...)
# through django-storages; without it, to var/media/attachments (the quick start).
PMO_ATTACHMENTS_S3_BUCKET = os.environ.get("PMO_ATTACHMENTS_S3_BUCKET", "")
_attachments_storage: dict[str, Any]
if PMO_ATTACHMENTS_S3_BUCKET:
    _attachments_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PMO_ATTACHMENTS_S3_BUCKET,
            # Empty: AWS itself. MinIO or another service: its URL, e.g. http://minio:9000.
            "endpoint_url": os.environ.get("PMO_ATTACHMENTS_S3_ENDPOINT_URL") or None,
            # Empty keys: boto3's own chain (instance role, AWS_* variables, ~/.aws).
            "access_key": os.environ.get("PMO_ATTACHMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("PMO_ATTACHMENTS_S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("PMO_ATTACHMENTS_S3_REGION") or None,
            # "path" for MinIO and most self-hosted stores, "virtual" or "auto" for AWS.
            "addressing_style": os.environ.get("PMO_ATTACHMENTS_S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("PMO_ATTACHMENTS_S3_PREFIX", "attachments"),
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _attachments_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media" / "attachments", "base_url": None},
    }
STORAGES["attachments"] = _attachments_storage
# Jobs' uploads and results (pmo.jobs): the same store as attachments, under their own prefix or folder.
_jobs_storage: dict[str, Any]
if PMO_ATTACHMENTS_S3_BUCKET:
    _jobs_storage = {
        "BACKEND": _attachments_storage["BACKEND"],
        "OPTIONS": {**_attachments_storage["OPTIONS"], "location": os.environ.get("PMO_JOBS_S3_PREFIX", "jobs")},
    }
else:
    _jobs_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media" / "jobs", "base_url": None},
    }
STORAGES["jobs"] = _jobs_storage
# Above 0, a download answers with a redirect to a signed URL of the object store valid this many
# seconds (S3 storage only, and the store must be reachable from the browsers); 0 streams every
# download through the application.
PMO_ATTACHMENT_PRESIGNED_SECONDS = int(os.environ.get("PMO_ATTACHMENT_PRESIGNED_SECONDS", "0"))
PMO_ATTACHMENT_MAX_BYTES = int(os.environ.get("PMO_ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024)))
PMO_ATTACHMENT_MAX_REQUEST_BYTES = int(os.environ.get("PMO_ATTACHMENT_MAX_REQUEST_BYTES", str(100 * 1024 * 1024)))
# Exchange files (workbooks, MS Project XML): the largest upload, and the most a workbook may
# unpack to (a zip bomb is refused before it is read).
PMO_EXCHANGE_MAX_BYTES = int(os.environ.get("PMO_EXCHANGE_MAX_BYTES", str(20 * 1024 * 1024)))
PMO_EXCHANGE_MAX_UNPACKED_BYTES = int(os.environ.get("PMO_EXCHANGE_MAX_UNPACKED_BYTES", str(250 * 1024 * 1024)))
PMO_ATTACHMENT_MAX_FILES = int(os.environ.get("PMO_ATTACHMENT_MAX_FILES", "10"))
# Images larger than this (in pixels) are refused: a small file may unpack into gigabytes.
PMO_ATTACHMENT_MAX_PIXELS = int(os.environ.get("PMO_ATTACHMENT_MAX_PIXELS", str(80_000_000)))

REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task must finish (or be killed) well before Redis would hand it to another worker: the time
# limits follow the visibility timeout (shortened only by the crash-recovery tests).
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
CELERY_TASK_SOFT_TIME_LIMIT = min(600, CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] * 2 // 3)
CELERY_TASK_TIME_LIMIT = min(900, CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] * 5 // 6)
# Exactly one beat process runs these (docker-compose has one "beat" service).
PMO_VARIANCE_HOUR = int(os.environ.get("PMO_VARIANCE_HOUR", "2"))
PMO_VARIANCE_MINUTE = int(os.environ.get("PMO_VARIANCE_MINUTE", "0"))
PMO_DIGEST_HOUR = int(os.environ.get("PMO_DIGEST_HOUR", "8"))
CELERY_BEAT_SCHEDULE = {
    "variance-nightly": {
        "task": "finance.run_variance_all",
        "schedule": crontab(hour=PMO_VARIANCE_HOUR, minute=PMO_VARIANCE_MINUTE),
    },
    # Unfinished work that a day's passing left before today moves to today (the data date), an
    # hour before the variance run reads the schedules.
    "reschedule-stale-nightly": {
        "task": "projects.reschedule_stale_all",
        "schedule": crontab(hour=(PMO_VARIANCE_HOUR - 1) % 24, minute=PMO_VARIANCE_MINUTE),
    },
    # The outbox relay's entry ("outbox-relay") is added with the relay's settings, below.
    "digests-daily": {"task": "pmo.send_digests", "schedule": crontab(hour=PMO_DIGEST_HOUR, minute=0)},
    # Each organisation's deadline is its own weekday and time in its own zone: checked every hour.
    "timesheet-reminders-hourly": {"task": "resources.timesheet_reminders", "schedule": crontab(minute=5)},
    # Inspection rounds are made ahead for each organisation's today, in its own zone: looked at every hour.
    "maintenance-rounds-hourly": {"task": "maintenance.generate_rounds", "schedule": crontab(minute=15)},
    # Preventive work orders fall due on each organisation's own day: checked every hour.
    "maintenance-preventive-hourly": {"task": "maintenance.generate_preventive", "schedule": crontab(minute=20)},
    # SLA clocks run by the hour: the maintenance alerts are looked at every quarter of an hour.
    "maintenance-alerts": {"task": "maintenance.sync_alerts", "schedule": crontab(minute="*/15")},
}

# --- When Redis is down (README, "When Redis is down") ---
# The cache falls back to each process's memory (pmo.cache), the API's rate limit counts per
# process, and tasks queued by a write wait in the database (pmo.queueing) until the dispatcher
# sends them. Each process stops asking a Redis that failed for PMO_REDIS_RETRY_SECONDS.
PMO_REDIS_RETRY_SECONDS = float(os.environ.get("PMO_REDIS_RETRY_SECONDS", "5"))
PMO_REDIS_CONNECT_TIMEOUT = float(os.environ.get("PMO_REDIS_CONNECT_TIMEOUT", "0.5"))
PMO_REDIS_TIMEOUT = float(os.environ.get("PMO_REDIS_TIMEOUT", "1"))

# --- Runs and batches (pmo.runs) ---
# A batch that has not reported within this many seconds of being queued or started is sent
# again by the sweeper (every minute). Keep it above CELERY_TASK_TIME_LIMIT: a batch still
# running is then one whose worker died.
PMO_RUN_STALE_SECONDS = int(os.environ.get("PMO_RUN_STALE_SECONDS", "1200"))
# A batch started this many times without reporting done is given up: it and its run fail.
PMO_RUN_MAX_ATTEMPTS = int(os.environ.get("PMO_RUN_MAX_ATTEMPTS", "5"))
# Finished runs and their batches are deleted after this many days.
PMO_RUN_KEEP_DAYS = int(os.environ.get("PMO_RUN_KEEP_DAYS", "30"))
CELERY_BEAT_SCHEDULE["runs-sweep"] = {"task": "pmo.sweep_runs", "schedule": 60.0}

# --- Jobs (pmo.jobs) ---
#: A plan of more tasks than this is exported to, or imported from, Excel as a background job.
PMO_PLAN_XLSX_JOB_ABOVE = int(os.environ.get("PMO_PLAN_XLSX_JOB_ABOVE", "500"))
# A job's result (and its upload) is kept this many days after the job ends, then deleted.
PMO_JOB_RESULT_DAYS = int(os.environ.get("PMO_JOB_RESULT_DAYS", "7"))
# A job whose worker was lost (no report for PMO_RUN_STALE_SECONDS) is queued again until it has
# been started this many times, then it fails.
PMO_JOB_MAX_ATTEMPTS = int(os.environ.get("PMO_JOB_MAX_ATTEMPTS", "2"))
# Work the request may do itself (an inline job) rather than queue for a worker: an export of a
# project with at most this many WBS elements, an import of a file of at most this many bytes.
PMO_JOB_INLINE_TASKS = int(os.environ.get("PMO_JOB_INLINE_TASKS", "500"))
PMO_JOB_INLINE_BYTES = int(os.environ.get("PMO_JOB_INLINE_BYTES", str(256 * 1024)))
# A leveling proposal over projects with more tasks than this (summaries not counted) is computed
# by a job on a worker, with a progress bar; a smaller one in the request.
PMO_LEVELING_JOB_ABOVE = int(os.environ.get("PMO_LEVELING_JOB_ABOVE", "300"))
# The sweeper queues lost jobs again and deletes expired ones with their files.
CELERY_BEAT_SCHEDULE["jobs-sweep"] = {"task": "pmo.sweep_jobs", "schedule": 60.0}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "pmo.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": PMO_REDIS_CONNECT_TIMEOUT, "socket_timeout": PMO_REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = PMO_REDIS_CONNECT_TIMEOUT
# A queued task no worker took within this many seconds is sent again (a broker that lost its
# messages), at most PMO_QUEUED_TASK_MAX_SENDS times.
PMO_QUEUED_TASK_RESEND_SECONDS = int(os.environ.get("PMO_QUEUED_TASK_RESEND_SECONDS", "900"))
PMO_QUEUED_TASK_MAX_SENDS = int(os.environ.get("PMO_QUEUED_TASK_MAX_SENDS", "5"))
CELERY_BEAT_SCHEDULE["queued-tasks"] = {"task": "pmo.dispatch_queued_tasks", "schedule": 30.0}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PMO <pmo@localhost>")

# Webhooks to loopback or private addresses are refused (server-side request forgery) unless this
# is set, for development and tests only.
PMO_WEBHOOK_ALLOW_PRIVATE = env_bool("PMO_WEBHOOK_ALLOW_PRIVATE", False)
# Where people open the app: links in alert e-mails start with it.
PMO_BASE_URL = os.environ.get("PMO_BASE_URL", "http://127.0.0.1:8000")
PMO_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("PMO_WEBHOOK_TIMEOUT_SECONDS", "10"))

# --- The outbox relay (pmo/alerts/delivery.py) -----------------------------------------------
# Handing an e-mail to the mail server gives up after this, as a webhook call does.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
# A message is leased to the relay sending it, renewed before each attempt: longer than an attempt
# may take (the timeouts above), so no other relay takes it mid-attempt; a relay that dies leaves it
# to be sent again (same key) this long after its attempt started.
PMO_RELAY_LEASE_SECONDS = float(os.environ.get("PMO_RELAY_LEASE_SECONDS", "60"))
# Receivers one relay sends to at once (threads), and messages of one receiver claimed at once.
PMO_RELAY_THREADS = int(os.environ.get("PMO_RELAY_THREADS", "8"))
PMO_RELAY_PER_RECEIVER = int(os.environ.get("PMO_RELAY_PER_RECEIVER", "50"))
# One relay task claims for this long, then queues the next link while messages are due, at most
# PMO_RELAY_CHAIN_LINKS times in a row; at most PMO_RELAY_CHAINS relay tasks run at once.
PMO_RELAY_TIME_BUDGET_SECONDS = float(os.environ.get("PMO_RELAY_TIME_BUDGET_SECONDS", "20"))
PMO_RELAY_CHAIN_LINKS = int(os.environ.get("PMO_RELAY_CHAIN_LINKS", "30"))
PMO_RELAY_CHAINS = int(os.environ.get("PMO_RELAY_CHAINS", "2"))
# The beat queues the relay this often; the first relay waits this long for a message about to fall due.
PMO_RELAY_BEAT_SECONDS = float(os.environ.get("PMO_RELAY_BEAT_SECONDS", "5"))
PMO_RELAY_LINGER_SECONDS = PMO_RELAY_BEAT_SECONDS
CELERY_BEAT_SCHEDULE["outbox-relay"] = {
    "task": "pmo.relay_outbox",
    "schedule": PMO_RELAY_BEAT_SECONDS,
    # A tick that waited longer than the interval in the queue is dropped: the next one is there.
    "options": {"expires": PMO_RELAY_BEAT_SECONDS},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pmo.authentication.BearerTokenAuthentication",
        "pmo.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "pmo.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["pmo.api.throttling.PerTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("PMO_API_RATE", "1200/minute")},
    "DEFAULT_SCHEMA_CLASS": "pmo.api.schema.PmoAutoSchema",
    "EXCEPTION_HANDLER": "pmo.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["pmo.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["pmo.api.parsers.JSONParser"],
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PMO API",
    "DESCRIPTION": gettext_lazy(
        "Project operations management. Organisation-scoped resources live under "
        "/api/v1/orgs/{org_slug}/. Authenticate with `Authorization: Bearer <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "TAGS": [
        {"name": "account", "description": gettext_lazy("The signed-in user and their API tokens.")},
        {"name": "organisation", "description": gettext_lazy("The organisation (tenant) and its settings.")},
        {"name": "members", "description": gettext_lazy("People in the organisation and their roles.")},
        {"name": "audit", "description": gettext_lazy("The append-only audit trail.")},
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "/api/v1/redoc-dist",
    # The side menu of a few hundred operations: perfect-scrollbar's set-up alone costs ReDoc about a second.
    "REDOC_UI_SETTINGS": {"nativeScrollbars": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrgRoleEnum": "pmo.models.OrgRole",
        "ProjectRoleEnum": "projects.models.ProjectRole",
        "PhaseEnum": "projects.models.Phase",
        "RagEnum": "projects.models.Rag",
        "PortfolioKindEnum": "projects.models.Portfolio.Kind",
        "WbsElementKindEnum": "projects.models.WbsElement.Kind",
        "ChangeRequestKindEnum": "projects.models.ChangeRequest.Kind",
        "ChangeRequestStatusEnum": "projects.models.ChangeRequest.Status",
        "StatusReportStatusEnum": "projects.models.StatusReport.Status",
        "TaskStatusEnum": "projects.models.TaskStatus",
        "DependencyTypeEnum": "projects.models.DependencyType",
        "PercentCompleteMethodEnum": "projects.models.PercentCompleteMethod",
        "ConstraintTypeEnum": "projects.models.ConstraintType",
        "RiskLevelEnum": "risks.models.Level",
        "RiskKindEnum": "risks.models.RiskKind",
        "RiskStatusEnum": "risks.models.RiskStatus",
        "ImpactRuleEnum": "risks.models.ImpactRule",
        "ResponseStrategyEnum": "risks.models.ResponseStrategy",
        "ResponseActionStatusEnum": "risks.models.ActionStatus",
        "IssueSeverityEnum": "risks.models.IssueSeverity",
        "IssueStatusEnum": "risks.models.IssueStatus",
        "MonteCarloRunStatusEnum": "risks.models.RunStatus",
        "ComparatorEnum": "quality.models.Comparator",
        "InspectionDisciplineEnum": "quality.models.Discipline",
        "NcModeEnum": "quality.models.NcMode",
        "AcceptanceStatusEnum": "quality.models.AcceptanceStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pmo.api.schema.add_error_component",
        "pmo.api.schema.close_request_bodies",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF at INFO; its warnings (a refused resource) stay.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The profile name shows in checks and /readyz.
PMO_PROFILE = "base"
