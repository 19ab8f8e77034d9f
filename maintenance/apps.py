from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = _("Maintenance")

    def ready(self) -> None:
        """Plug maintenance into the extension points of the layers below it (ARCHITECTURE.md)."""
        from maintenance import alert_kinds as maintenance_alert_kinds
        from maintenance import attachments as maintenance_attachments
        from maintenance import attachments_rounds as round_attachments
        from maintenance import attachments_work_orders as work_order_attachments
        from maintenance import calendar_sources as maintenance_calendar_sources
        from maintenance import demo as maintenance_demo
        from maintenance import jobs as maintenance_jobs
        from maintenance import navigation as maintenance_navigation
        from maintenance import runs as maintenance_runs
        from maintenance.gate_checks import HANDOVER_CHECK
        from maintenance.permissions import GRANTS, MaintenanceAction
        from pmo.demo import demo_parts
        from pmo.jobs import job_kinds
        from pmo.policy import permissions
        from projects.gate_checks import gate_checks

        permissions.register(MaintenanceAction, GRANTS)
        demo_parts.register(
            "maintenance", maintenance_demo.seed, after=("projects", "finance", "risks", "quality", "resources")
        )
        maintenance_navigation.register()
        maintenance_attachments.register()
        work_order_attachments.register()
        round_attachments.register()
        gate_checks.register(HANDOVER_CHECK)
        maintenance_alert_kinds.register()
        maintenance_runs.register()
        maintenance_calendar_sources.register()
        for kind in maintenance_jobs.KINDS:
            job_kinds.register(kind)
