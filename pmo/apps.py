from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmoConfig(AppConfig):
    name = "pmo"
    label = "pmo"
    verbose_name = _("PMO core")

    def ready(self) -> None:
        from pmo import checks  # noqa: F401  (registers the system checks)
        from pmo.api import extensions  # noqa: F401  (registers the OpenAPI auth scheme)
