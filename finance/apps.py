from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from finance.earned_value import project_performance_indices
        from finance.selectors import project_holds_finance
        from projects.registries import money_holders, performance_indices

        money_holders.append(project_holds_finance)
        performance_indices.append(project_performance_indices)

        from finance import demo
        from pmo.demo import demo_parts

        demo_parts.register("finance", demo.seed, after=("projects",))

        from finance.permissions import GRANTS, FinanceAction
        from pmo.policy import permissions

        permissions.register(FinanceAction, GRANTS)

        from finance import attachments as finance_attachments

        finance_attachments.register()

        from finance import alert_kinds

        alert_kinds.register()

        from finance import navigation

        navigation.register()

        from finance.gate_checks import BUDGET_CHECK
        from projects.gate_checks import gate_checks

        gate_checks.register(BUDGET_CHECK)
