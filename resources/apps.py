from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("Resources")

    def ready(self) -> None:
        """Plug resources into the extension points of the layers below it (ARCHITECTURE.md)."""
        from pmo import navigation
        from pmo.policy import Action, permissions
        from resources.permissions import GRANTS, ResourceAction

        permissions.register(ResourceAction, GRANTS)
        # Until its pages are built, the entry leads to the core's "not yet available" page.
        navigation.main.register(
            navigation.NavEntry("resources", _("Resources"), "org-resources", order=30, action=Action.ORG_VIEW)
        )
