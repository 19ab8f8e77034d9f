from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        from pmo import navigation
        from pmo.policy import Action

        # Until its pages are built, the entry leads to the core's "not yet available" page.
        navigation.main.register(
            navigation.NavEntry("quality", _("Quality"), "org-quality", order=50, action=Action.ORG_VIEW)
        )
