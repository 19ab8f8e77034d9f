"""System checks that keep the production profile from starting on quick-start settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

PRODUCTION_TAG = "pmo_production"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@checks.register(PRODUCTION_TAG, deploy=False)
def production_profile_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.PMO_PROFILE != "production":
        return []
    errors: list[checks.CheckMessage] = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            checks.Error(
                "The production profile cannot run on SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database, e.g. postgres://pmo:secret@db:5432/pmo.",
                id="pmo.E001",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        errors.append(
            checks.Error(
                "The production profile cannot run Celery tasks eagerly in the web process.",
                hint="Set REDIS_URL (or CELERY_BROKER_URL) to the Redis broker, e.g. redis://redis:6379/0.",
                id="pmo.E002",
            )
        )
    if settings.DEBUG:
        errors.append(
            checks.Error(
                "The production profile cannot run with DEBUG on.",
                hint="Unset DEBUG or set DEBUG=0.",
                id="pmo.E003",
            )
        )
    if settings.PMO_WEBHOOK_ALLOW_PRIVATE:
        errors.append(
            checks.Error(
                "The production profile cannot send webhooks to loopback or private addresses.",
                hint="Unset PMO_WEBHOOK_ALLOW_PRIVATE: it exists for development and tests only.",
                id="pmo.E004",
            )
        )
    host = (urlsplit(settings.PMO_BASE_URL).hostname or "").lower()
    if host in LOOPBACK_HOSTS:
        errors.append(
            checks.Warning(
                f"PMO_BASE_URL is {settings.PMO_BASE_URL}: links in e-mails will open only on the server itself.",
                hint="Set PMO_BASE_URL to the address people open, e.g. https://pmo.example.com.",
                id="pmo.W001",
            )
        )
    return errors


@checks.register()
def permission_policy_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every action the apps registered may be taken by someone, and names only declared project roles."""
    from pmo.policy import permissions

    return [checks.Error(problem, id="pmo.E010") for problem in permissions.problems()]


@checks.register()
def relay_timing_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The relay's lease outlives an attempt, and a relay task ends inside Celery's soft time limit."""
    attempt = max(settings.PMO_WEBHOOK_TIMEOUT_SECONDS, settings.EMAIL_TIMEOUT or 0)
    errors: list[checks.CheckMessage] = []
    if attempt >= settings.PMO_RELAY_LEASE_SECONDS:
        errors.append(
            checks.Error(
                f"PMO_RELAY_LEASE_SECONDS ({settings.PMO_RELAY_LEASE_SECONDS:g}) must be longer than an attempt "
                f"may take ({attempt:g} s): another relay would send the message again while it is under way.",
                hint="Raise PMO_RELAY_LEASE_SECONDS or lower PMO_WEBHOOK_TIMEOUT_SECONDS and EMAIL_TIMEOUT.",
                id="pmo.E011",
            )
        )
    soft_limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
    if soft_limit and settings.PMO_RELAY_TIME_BUDGET_SECONDS + attempt >= soft_limit:
        errors.append(
            checks.Error(
                f"A relay task may run PMO_RELAY_TIME_BUDGET_SECONDS + {attempt:g} s, not less than "
                f"CELERY_TASK_SOFT_TIME_LIMIT ({soft_limit} s).",
                hint="Lower PMO_RELAY_TIME_BUDGET_SECONDS.",
                id="pmo.E012",
            )
        )
    return errors


def assert_production_ready() -> None:
    """Raise at process start when the production checks fail (gunicorn does not run checks)."""
    errors = [message for message in production_profile_check() if message.is_serious()]
    if errors:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("; ".join(f"{e.id}: {e.msg} {e.hint}" for e in errors))
