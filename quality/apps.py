from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        """Plug quality into the extension points of the layers below it (ARCHITECTURE.md)."""
        from pmo.policy import permissions
        from projects import registries
        from quality import alert_kinds
        from quality import navigation as quality_navigation
        from quality.permissions import GRANTS, QualityAction
        from quality.services.inspections import hold_point_reason

        permissions.register(QualityAction, GRANTS)
        registries.completion_guards.append(hold_point_reason)
        alert_kinds.register()
        quality_navigation.register()
