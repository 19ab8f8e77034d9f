from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("Resources")

    def ready(self) -> None:
        """Plug resources into the extension points of the layers below it (ARCHITECTURE.md)."""
        from pmo.demo import demo_parts
        from pmo.jobs import job_kinds
        from pmo.policy import permissions
        from resources import alert_kinds, demo, leveling_jobs, mspdi_jobs, panels
        from resources import jobs as workbook_jobs
        from resources import navigation as resources_navigation
        from resources import runs as resources_runs
        from resources.permissions import GRANTS, ResourceAction
        from resources.services import costing, timesheets

        for kind in workbook_jobs.KINDS:
            job_kinds.register(kind)
        permissions.register(ResourceAction, GRANTS)
        alert_kinds.register()
        panels.register()
        demo_parts.register("resources", demo.seed, after=("projects", "finance", "risks", "quality"))
        timesheets.register()
        costing.register()
        resources_navigation.register()
        resources_runs.register()
        mspdi_jobs.register()
        leveling_jobs.register()
