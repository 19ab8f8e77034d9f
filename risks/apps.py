from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        from pmo import navigation
        from pmo.policy import Action

        # Until its pages are built, the entry leads to the core's "not yet available" page.
        navigation.main.register(
            navigation.NavEntry("risks", _("Risks"), "org-risks", order=40, action=Action.ORG_VIEW)
        )
