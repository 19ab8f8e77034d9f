from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = _("Maintenance")

    def ready(self) -> None:
        from pmo import navigation
        from pmo.policy import Action

        # Until its pages are built, the entry leads to the core's "not yet available" page.
        navigation.main.register(
            navigation.NavEntry("maintenance", _("Maintenance"), "org-maintenance", order=70, action=Action.ORG_VIEW)
        )
