"""Test runs: SQLite by default, PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from pmo.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests that need the real broker build their own Celery configuration.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "10000/minute"}}
PMO_PROFILE = "test"
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
# Attachments land in a folder of the test run's own, never in var/media.
_test_attachments: dict[str, Any] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": Path(tempfile.gettempdir()) / f"pmo-test-attachments-{os.getpid()}", "base_url": None},
}
_test_jobs: dict[str, Any] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": Path(tempfile.gettempdir()) / f"pmo-test-jobs-{os.getpid()}", "base_url": None},
}
STORAGES = {**STORAGES, "attachments": _test_attachments, "jobs": _test_jobs}
