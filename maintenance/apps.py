from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = _("Maintenance")

    def ready(self) -> None:
        """Plug maintenance into the extension points of the layers below it (ARCHITECTURE.md)."""
        from maintenance import navigation as maintenance_navigation
        from maintenance.permissions import GRANTS, MaintenanceAction
        from pmo.policy import permissions

        permissions.register(MaintenanceAction, GRANTS)
        maintenance_navigation.register()
