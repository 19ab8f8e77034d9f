from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Portfolio dashboard")

    def ready(self) -> None:
        from dashboard.portfolio.selectors import project_computed_rag_json
        from projects.registries import computed_rag

        computed_rag.append(project_computed_rag_json)

        from pmo import navigation
        from pmo.policy import Action

        navigation.main.register(
            navigation.NavEntry("dashboard", _("Dashboard"), "org-home", order=10, action=Action.ORG_VIEW)
        )
        navigation.panels.declare_slot("portfolio_dashboard", "the portfolio dashboard, after quality")

        from dashboard import panels, project_summary
        from pmo.jobs import JobKind, job_kinds

        panels.register()
        job_kinds.register(JobKind(project_summary.JOB_KIND, _("Project summary (PDF)"), project_summary.summary_job))
