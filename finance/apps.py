from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        """Plug finance into the extension points of the layers below it (ARCHITECTURE.md)."""
        from finance import alert_kinds, attachments, demo, navigation, runs
        from finance import jobs as workbook_jobs
        from finance.earned_value import project_performance_indices
        from finance.gate_checks import BUDGET_CHECK
        from finance.permissions import GRANTS, FinanceAction
        from finance.selectors import project_holds_finance
        from pmo.demo import demo_parts
        from pmo.jobs import job_kinds
        from pmo.policy import permissions
        from projects.gate_checks import gate_checks
        from projects.registries import money_holders, performance_indices

        for kind in workbook_jobs.KINDS:
            job_kinds.register(kind)
        permissions.register(FinanceAction, GRANTS)
        alert_kinds.register()
        runs.register()
        gate_checks.register(BUDGET_CHECK)
        navigation.register()
        attachments.register()
        demo_parts.register("finance", demo.seed, after=("projects",))
        money_holders.append(project_holds_finance)
        performance_indices.append(project_performance_indices)
