"""The Celery app. Configuration comes from Django settings (CELERY_*)."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.dev")

app = Celery("pmo", task_cls="pmo.tasks:OrganizationTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks are discovered in PmoConfig.ready(), once every Django app is loaded.


@app.on_after_configure.connect
def _in_memory_transport_when_eager(sender: Celery, **kwargs: Any) -> None:
    """Eager tasks still pass through a producer to serialise their arguments; without a broker
    kombu would describe a Redis connection to 'localhost' and warn on every task."""
    if sender.conf.task_always_eager and not sender.conf.broker_url:
        sender.conf.broker_url = "memory://localhost/"
