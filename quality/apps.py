from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        """Plug quality into the extension points of the layers below it (ARCHITECTURE.md)."""
        from pmo.demo import demo_parts
        from pmo.policy import permissions
        from projects import registries
        from projects.gate_checks import gate_checks
        from quality import alert_kinds, attachments_acceptance, attachments_ncs, calendar_sources, demo
        from quality import attachments as inspection_attachments
        from quality import navigation as quality_navigation
        from quality.gate_checks import EXECUTION_CHECK, SAFETY_VETO_CHECK
        from quality.gate_checks_acceptance import ACCEPTANCE_CHECK
        from quality.permissions import GRANTS, QualityAction
        from quality.services.inspections import hold_point_reason

        permissions.register(QualityAction, GRANTS)
        registries.completion_guards.append(hold_point_reason)
        alert_kinds.register()
        quality_navigation.register()
        inspection_attachments.register()
        attachments_ncs.register()
        attachments_acceptance.register()
        demo_parts.register("quality", demo.seed, after=("projects", "finance", "risks"))
        gate_checks.register(EXECUTION_CHECK)
        gate_checks.register(SAFETY_VETO_CHECK)
        gate_checks.register(ACCEPTANCE_CHECK)
        calendar_sources.register()
