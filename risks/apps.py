from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        """Plug risks into the extension points of the layers below it (ARCHITECTURE.md)."""
        from pmo import navigation
        from pmo.demo import demo_parts
        from pmo.policy import permissions
        from projects.gate_checks import gate_checks
        from risks import alert_kinds, calendar_sources, demo, exposure, issue_extensions
        from risks import attachments as risk_attachments
        from risks import navigation as risk_navigation
        from risks.gate_checks import ANSWERED_CHECK, REGISTER_CHECK
        from risks.permissions import GRANTS, RiskAction

        permissions.register(RiskAction, GRANTS)
        risk_attachments.register()
        issue_extensions.register()
        alert_kinds.register()
        gate_checks.register(REGISTER_CHECK)
        gate_checks.register(ANSWERED_CHECK)
        exposure.register()
        calendar_sources.register()
        risk_navigation.register()
        navigation.main.register(
            navigation.NavEntry("risks", _("Risks"), "org-risks", order=40, action=RiskAction.RISK_VIEW)
        )
        demo_parts.register("risks", demo.seed, after=("projects", "finance"))
