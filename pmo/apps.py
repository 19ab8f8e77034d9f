from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class PmoConfig(AppConfig):
    name = "pmo"
    label = "pmo"
    verbose_name = _("PMO core")

    def ready(self) -> None:
        from pmo import (
            checks,  # noqa: F401  (registers the system checks)
            queueing,  # noqa: F401  (a worker deletes the row of a queued task it takes)
        )
        from pmo.api import extensions  # noqa: F401  (registers the OpenAPI auth scheme)
        from pmo.celery import app
        from pmo.navigation import register_core
        from pmo.runs import kinds as core_run_kinds

        # Register every app's tasks in every process (web included), so that a task queued
        # by name is known; Celery's lazy discovery only runs in workers.
        app.autodiscover_tasks([config.name for config in apps.get_app_configs()], force=True)
        register_core()
        core_run_kinds.register()
