"""Settings of the Celery worker processes the worker tests start: the real Redis, the test database.

The visibility timeout is short so that a message held by a killed worker is handed to the next
one within seconds (in production it is an hour); the time limits stay below it, as there.
"""

from __future__ import annotations

import os

from pmo.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["REDIS_URL"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["PMO_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 8,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # A worker killed while it restores messages leaves kombu's restore lock behind; it expires
    # after this (five minutes by default, which would stall a test).
    "unacked_mutex_expire": 5,
}
CELERY_TASK_SOFT_TIME_LIMIT = 5
CELERY_TASK_TIME_LIMIT = 6
DATABASES["default"]["NAME"] = os.environ["PMO_TEST_DATABASE_NAME"]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["PMO_TEST_MAIL_DIR"]
PMO_WEBHOOK_ALLOW_PRIVATE = True
# The relay's task ends inside those limits too (time budget + one attempt); a message a killed
# relay held is due again a few seconds after its attempt started.
PMO_WEBHOOK_TIMEOUT_SECONDS = 1.0
EMAIL_TIMEOUT = 1.0
PMO_RELAY_TIME_BUDGET_SECONDS = 2.0
PMO_RELAY_LEASE_SECONDS = 3.0
