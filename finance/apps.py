from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from finance.selectors import project_holds_finance
        from projects.registries import money_holders

        money_holders.append(project_holds_finance)
