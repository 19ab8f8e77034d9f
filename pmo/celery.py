"""The Celery app. Configuration comes from Django settings (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.dev")

app = Celery("pmo", task_cls="pmo.tasks:OrganizationTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks are discovered in PmoConfig.ready(), once every Django app is loaded.
